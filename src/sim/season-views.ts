/**
 * The rest of a season from the same world: betting lines priced from the latent strengths (2 to 3 providers a game,
 * some games without lines, moneylines and opening lines often null), weekly AP and coaches polls, and adjusted
 * efficiency and SRS ratings as the API serves them.
 */
import type { AdjustedEfficiencyInfo, GameInfo, GameLines, LineProviderInfo, PollTeamInfo, SrsInfo } from 'cbbd';
import { dayToIsoDate, isoDateToDay } from '../core/partitions.ts';
import { Random } from './random.ts';
import type { SimWorld, TeamStrength } from './world.ts';

export const LINE_PROVIDERS: readonly LineProviderInfo[] = [
  { id: 1, name: 'consensus' }, { id: 2, name: 'ESPN BET' }, { id: 3, name: 'DraftKings' }, { id: 4, name: 'Bovada' },
];

/**
 * How far the market's read of a game is from the truth, in points: closing lines miss the true margin by a few
 * points (injuries, form, money), so their error against results is a little larger than the truth's own noise, as
 * real closing spreads' is (an SD of about 10 points).
 */
const LINE_NOISE_SD = 3;
const LEAGUE_PPP = 1.04;

/** The lines of a game, or undefined when no book priced it (lower divisions, and some games at random). */
export function linesOf(world: SimWorld, game: GameInfo): GameLines | undefined {
  const strengths = world.strengths(game.season);
  const h = strengths.get(game.homeTeamId)!;
  const a = strengths.get(game.awayTeamId)!;
  const r = Random.derive(world.seed, 'lines', game.id);
  if (game.homeConferenceId === null || game.awayConferenceId === null || r.chance(0.08)) return undefined;
  const tempo = (h.tempo + a.tempo) / 2;
  // One market view of the game that every book shares, each book a little off it.
  const margin = world.expectedMargin(game) + r.normal(0, LINE_NOISE_SD);
  const total = 2 * tempo * LEAGUE_PPP + ((h.offense - a.defense + a.offense - h.defense) * tempo) / 100;
  const half = (x: number) => Math.round(x * 2) / 2;
  const providers = r.shuffle(LINE_PROVIDERS.slice(1).map((p) => p.name)).slice(0, r.int(2, 3));
  const moneyline = (spread: number) => (spread < 0 ? -Math.round(100 + 12 * (-spread) ** 1.05) : Math.round(100 + 10 * spread));
  return {
    gameId: game.id, season: game.season, seasonType: game.seasonType, startDate: game.startDate,
    homeTeamId: game.homeTeamId, homeTeam: game.homeTeam, homeConference: game.homeConference, homeScore: game.homePoints,
    awayTeamId: game.awayTeamId, awayTeam: game.awayTeam, awayConference: game.awayConference, awayScore: game.awayPoints,
    lines: providers.map((provider) => {
      const spread = half(-margin + r.normal(0, 0.5));
      return {
        provider,
        spread,
        overUnder: half(total + r.normal(0, 1.5)),
        homeMoneyline: r.chance(0.6) ? null : moneyline(spread),
        awayMoneyline: r.chance(0.6) ? null : moneyline(-spread),
        spreadOpen: r.chance(0.7) ? null : half(spread + r.normal(0, 1)),
        overUnderOpen: r.chance(0.7) ? null : half(total + r.normal(0, 2)),
      };
    }),
  };
}

/** Weekly polls: the top 25 by strength and record so far, from the first week of the season to the last. */
export function pollsOf(world: SimWorld, season: number, now: Date): PollTeamInfo[] {
  const games = world.gamesAsOf(season);
  const strengths = world.strengths(season);
  const first = isoDateToDay(`${season - 1}-11-04`)!;
  const last = Math.min(isoDateToDay(`${season}-04-08`)!, Math.floor(now.getTime() / 86_400_000));
  const out: PollTeamInfo[] = [];
  for (let week = 1, day = first; day <= last; week++, day += 7) {
    const date = dayToIsoDate(day);
    const record = new Map<number, number>();
    for (const g of games) {
      if (g.status !== 'final' || g.startDate >= date) continue;
      record.set(g.homeTeamId, (record.get(g.homeTeamId) ?? 0) + (g.homeWinner ? 1 : -1));
      record.set(g.awayTeamId, (record.get(g.awayTeamId) ?? 0) + (g.awayWinner ? 1 : -1));
    }
    for (const pollType of ['AP Top 25', 'Coaches Poll']) {
      const r = Random.derive(world.seed, 'poll', season, week, pollType);
      const score = (s: TeamStrength) => s.net + (record.get(s.teamId) ?? 0) * 0.8 + r.normal(0, 1.5);
      const ranked = world.divisionOneTeams.map((t) => ({ t, score: score(strengths.get(t.id)!) })).sort((a, b) => b.score - a.score).slice(0, 25);
      const voters = pollType === 'AP Top 25' ? 62 : 31;
      ranked.forEach(({ t }, i) => out.push({
        season, seasonType: 'regular', week, pollDate: `${date}T00:00:00.000Z`, pollType, teamId: t.id, team: t.school, conference: t.conference,
        ranking: i + 1, points: Math.max(1, voters * (25 - i) - r.int(0, voters)), firstPlaceVotes: i === 0 ? voters - r.int(0, 5) : i < 3 ? r.int(0, 3) : 0,
      }));
    }
  }
  return out;
}

/** Adjusted efficiencies as the API serves them: per 100 possessions, from the latent strengths plus noise. */
export function adjustedRatingsOf(world: SimWorld, season: number): AdjustedEfficiencyInfo[] {
  const strengths = world.strengths(season);
  const rows = world.divisionOneTeams.map((t) => {
    const s = strengths.get(t.id)!;
    const r = Random.derive(world.seed, 'adjusted', season, t.id);
    const offensiveRating = round1(100 * LEAGUE_PPP + s.offense + r.normal(0, 1.5));
    const defensiveRating = round1(100 * LEAGUE_PPP - s.defense + r.normal(0, 1.5));
    return { season, teamId: t.id, team: t.school, conference: t.conference ?? '', offensiveRating, defensiveRating, netRating: round1(offensiveRating - defensiveRating) };
  });
  const rank = (key: (x: (typeof rows)[number]) => number) => {
    const order = [...rows].sort((a, b) => key(b) - key(a)).map((x) => x.teamId);
    return (teamId: number) => order.indexOf(teamId) + 1;
  };
  const net = rank((x) => x.netRating);
  const off = rank((x) => x.offensiveRating);
  const def = rank((x) => -x.defensiveRating);
  return rows.map((x) => ({ ...x, rankings: { net: net(x.teamId), offense: off(x.teamId), defense: def(x.teamId) } }));
}

/** Simple rating system: points better than average per game, from the latent strengths plus noise. */
export function srsOf(world: SimWorld, season: number): SrsInfo[] {
  const strengths = world.strengths(season);
  return world.divisionOneTeams.map((t) => {
    const s = strengths.get(t.id)!;
    return { season, teamId: t.id, team: t.school, conference: t.conference ?? '', rating: round1((s.net * s.tempo) / 100 + Random.derive(world.seed, 'srs', season, t.id).normal(0, 1)) };
  });
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
