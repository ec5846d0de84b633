/**
 * Realism benchmark: how much the simulator's world looks like real Division I basketball. Prints, for each season,
 * the simulator's figures beside published real ones (team strength spread, how far results stray from what the
 * strengths predict, the home team's win share, the closing lines' error), the weekly rhythm as games per weekday,
 * tip times, how often plays carry `onFloor`, the box-score rates, and the Spearman correlation of a simple adjusted
 * margin (Massey, home court 3.5) with the true strengths at demo and full scale: how hard the world is to rank.
 * Run: npm run bench -- realism [--seasons 2024,2025] [--sample 5] (replays every n-th game for plays and box scores)
 */
import { SimWorld, type SimScale } from '../src/sim/world.ts';
import { worldFigures, type WorldFigures } from '../src/sim/world-figures.ts';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
}

/**
 * Real Division I, from published sources: adjusted efficiency margins (KenPom-style ratings of recent seasons),
 * results around closing spreads (Prediction Tracker's 47,000 games 2004–2017), home win share in Division I games.
 */
const REAL = {
  strength: 'SD about 11, from about −30 to +35',
  deviation: 'about 10 points (SD of results around closing spreads)',
  home: 'about 0.6 (59.4% of conference games in a recent season)',
  lines: 'about 10 points',
  weekdays: 'Saturday by far the busiest (well over 100 on a Jan/Feb Saturday), Monday and Friday the lightest',
  tips: 'afternoon and evening local time; many late games on the next UTC date',
  onFloor: 'about 21% of plays (79% without it)',
};

export async function realismBench(args: string[]): Promise<void> {
  const seasons = arg(args, '--seasons', '2024,2025').split(',').map(Number);
  const sample = Number(arg(args, '--sample', '5'));
  const now = () => new Date('2026-12-01T00:00:00Z');
  for (const scale of ['full', 'demo'] as SimScale[]) {
    const world = new SimWorld({ seed: 2024, scale, now });
    for (const season of seasons) {
      const t = performance.now();
      const f = worldFigures(world, season, scale === 'full' ? sample : 1);
      const seconds = (performance.now() - t) / 1000;
      if (scale === 'full') printFull(season, f, sample, seconds);
      else console.log(`  demo scale, season ${season}: ${f.divisionOneTeams} teams, ${f.divisionOneGames} games between them: Spearman of the adjusted margin vs the truth ${f.spearman.toFixed(2)}`);
    }
  }
}

function printFull(season: number, f: WorldFigures, sample: number, seconds: number): void {
  const row = (figure: string, sim: string, real: string) => console.log(`  | ${figure.padEnd(44)} | ${sim.padEnd(36)} | ${real}`);
  console.log(`realism benchmark: full scale, season ${season}: ${f.divisionOneTeams} Division I teams, ${f.divisionOneGames.toLocaleString()} games between them (${seconds.toFixed(0)} s)`);
  row('figure', 'simulator', 'real Division I');
  row('team net strength (per 100 possessions)', `SD ${f.strength.sd.toFixed(1)}, ${f.strength.min.toFixed(1)} to +${f.strength.max.toFixed(1)}`, REAL.strength);
  row('  year-to-year correlation of net strength', f.persistence.toFixed(2), '');
  row('margin − strength-predicted margin', `SD ${f.marginDeviationSd.toFixed(1)} points (slope ${f.marginSlope.toFixed(2)})`, REAL.deviation);
  row('home win share, D-I vs D-I, not neutral', f.homeWinShare.toFixed(3), REAL.home);
  row('margin + closing spread (line error)', `SD ${f.lineErrorSd.toFixed(1)} points`, REAL.lines);
  row('games per weekday (local date)', f.weekdays.map((d) => `${d.weekday.slice(0, 3)} ${d.mean.toFixed(0)}`).join(' '), REAL.weekdays);
  row('  busiest of each weekday', f.weekdays.map((d) => `${d.weekday.slice(0, 3)} ${d.max}`).join(' '), '');
  row('  January and February Saturdays', `mean ${f.janFebSaturdays.mean.toFixed(0)}, max ${f.janFebSaturdays.max}`, 'well over 100');
  row('tip times (UTC)', `${f.tipTimes} distinct; ${(f.nextUtcDayShare * 100).toFixed(0)}% on the next UTC date`, REAL.tips);
  row('UTC game days (a /plays/date call each)', String(f.gameDays), 'about 150');
  row(`plays carrying onFloor (1 game in ${sample})`, `${(f.onFloorShare * 100).toFixed(1)}%`, REAL.onFloor);
  const b = f.box;
  row(`box-score rates (1 game in ${sample})`, `poss/40 ${b.possessionsPer40.toFixed(1)}, PPP ${b.pointsPerPossession.toFixed(3)}, eFG ${pct(b.effectiveFieldGoal)}`, 'poss/40 ~68, PPP ~1.04, eFG ~50%');
  row('', `TO ${pct(b.turnoverRate)}, ORB ${pct(b.offensiveReboundRate)}, FTr ${b.freeThrowRate.toFixed(2)}, 3PAr ${b.threePointAttemptRate.toFixed(2)}`, 'TO ~17%, ORB ~27%, FTr ~0.32, 3PAr ~0.38');
  row('Spearman: adjusted margin (home 3.5) vs truth', f.spearman.toFixed(2), '');
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
