/**
 * Season statistics as the API serves them, summed from the same box scores every game serves, so a season total
 * always equals the sum of its games.
 */
import type {
  GameBoxScorePlayers, GameBoxScoreTeam, GameBoxScoreTeamStats, PlayerSeasonShootingStats, PlayerSeasonStats, PlayInfo, SeasonShootingStats, TeamSeasonStats,
  TeamSeasonUnitStats,
} from 'cbbd';
import { fourFactors, ratio, shootingLines } from './_box-math.ts';

interface Sum {
  fgm: number; fga: number; tpm: number; tpa: number; ftm: number; fta: number; oreb: number; dreb: number; tov: number; pf: number;
  pts: number; ast: number; blk: number; stl: number; poss: number;
}
const zero = (): Sum => ({ fgm: 0, fga: 0, tpm: 0, tpa: 0, ftm: 0, fta: 0, oreb: 0, dreb: 0, tov: 0, pf: 0, pts: 0, ast: 0, blk: 0, stl: 0, poss: 0 });

function add(s: Sum, b: GameBoxScoreTeamStats): void {
  s.fgm += b.fieldGoals.made ?? 0; s.fga += b.fieldGoals.attempted ?? 0;
  s.tpm += b.threePointFieldGoals.made ?? 0; s.tpa += b.threePointFieldGoals.attempted ?? 0;
  s.ftm += b.freeThrows.made ?? 0; s.fta += b.freeThrows.attempted ?? 0;
  s.oreb += b.rebounds.offensive ?? 0; s.dreb += b.rebounds.defensive ?? 0;
  s.tov += b.turnovers.total ?? 0; s.pf += b.fouls.total ?? 0; s.pts += b.points.total ?? 0;
  s.ast += b.assists ?? 0; s.blk += b.blocks ?? 0; s.stl += b.steals ?? 0; s.poss += b.possessions ?? 0;
}


function unit(s: Sum, o: Sum): TeamSeasonUnitStats {
  return {
    ...shootingLines(s),
    turnovers: { teamTotal: 0, total: s.tov },
    fouls: { flagrant: 0, technical: 0, total: s.pf },
    points: { fastBreak: null, offTurnovers: null, inPaint: null, total: s.pts },
    fourFactors: fourFactors(s, o.dreb, s.poss),
    assists: s.ast, blocks: s.blk, steals: s.stl, possessions: s.poss,
    rating: s.poss ? Math.round((s.pts / s.poss) * 1000) / 10 : null,
    trueShooting: ratio(s.pts, 2 * (s.fga + 0.44 * s.fta)),
  };
}

export function teamSeasonStatsOf(season: number, boxes: readonly GameBoxScoreTeam[], isDivisionOne: (teamId: number) => boolean): TeamSeasonStats[] {
  const byTeam = new Map<number, { box: GameBoxScoreTeam; team: Sum; opp: Sum; games: number; wins: number; minutes: number }>();
  for (const b of boxes) {
    if (!isDivisionOne(b.teamId)) continue;
    let t = byTeam.get(b.teamId);
    if (!t) byTeam.set(b.teamId, (t = { box: b, team: zero(), opp: zero(), games: 0, wins: 0, minutes: 0 }));
    add(t.team, b.teamStats);
    add(t.opp, b.opponentStats);
    t.games++;
    t.minutes += b.gameMinutes ?? 40;
    if ((b.teamStats.points.total ?? 0) > (b.opponentStats.points.total ?? 0)) t.wins++;
  }
  return [...byTeam.values()].map((t) => ({
    season, seasonLabel: t.box.seasonLabel, teamId: t.box.teamId, team: t.box.team, conference: t.box.conference,
    games: t.games, wins: t.wins, losses: t.games - t.wins, totalMinutes: t.minutes,
    pace: t.minutes ? Math.round((((t.team.poss + t.opp.poss) / 2) * 40 / t.minutes) * 10) / 10 : null,
    teamStats: unit(t.team, t.opp), opponentStats: unit(t.opp, t.team),
  }));
}

export function playerSeasonStatsOf(season: number, lines: readonly GameBoxScorePlayers[], isDivisionOne: (teamId: number) => boolean): PlayerSeasonStats[] {
  const byPlayer = new Map<number, { row: PlayerSeasonStats; s: Sum }>();
  for (const game of lines) {
    if (!isDivisionOne(game.teamId)) continue;
    for (const p of game.players) {
      let entry = byPlayer.get(p.athleteId);
      if (!entry) {
        entry = {
          s: zero(),
          row: {
            season, seasonLabel: game.seasonLabel, teamId: game.teamId, team: game.team, conference: game.conference, athleteId: p.athleteId,
            athleteSourceId: p.athleteSourceId, name: p.name, position: p.position, games: 0, starts: 0, minutes: 0, points: 0, turnovers: 0,
            fouls: 0, assists: 0, steals: 0, blocks: 0, usage: null, offensiveRating: null, defensiveRating: null, netRating: null, PORPAG: null,
            effectiveFieldGoalPct: null, trueShootingPct: null, assistsTurnoverRatio: null, freeThrowRate: null, offensiveReboundPct: null,
            fieldGoals: { pct: null, attempted: 0, made: 0 }, twoPointFieldGoals: { pct: null, attempted: 0, made: 0 },
            threePointFieldGoals: { pct: null, attempted: 0, made: 0 }, freeThrows: { pct: null, attempted: 0, made: 0 },
            rebounds: { total: 0, defensive: 0, offensive: 0 }, winShares: { totalPer40: null, total: null, defensive: null, offensive: null },
          },
        };
        byPlayer.set(p.athleteId, entry);
      }
      const { row, s } = entry;
      row.games++;
      if (p.starter) row.starts++;
      row.minutes = Math.round((row.minutes + (p.minutes ?? 0)) * 10) / 10;
      s.fgm += p.fieldGoals.made ?? 0; s.fga += p.fieldGoals.attempted ?? 0; s.tpm += p.threePointFieldGoals.made ?? 0;
      s.tpa += p.threePointFieldGoals.attempted ?? 0; s.ftm += p.freeThrows.made ?? 0; s.fta += p.freeThrows.attempted ?? 0;
      s.oreb += p.rebounds.offensive ?? 0; s.dreb += p.rebounds.defensive ?? 0; s.tov += p.turnovers ?? 0; s.pf += p.fouls ?? 0;
      s.pts += p.points ?? 0; s.ast += p.assists ?? 0; s.blk += p.blocks ?? 0; s.stl += p.steals ?? 0;
    }
  }
  return [...byPlayer.values()].map(({ row, s }) => ({
    ...row, points: s.pts, turnovers: s.tov, fouls: s.pf, assists: s.ast, steals: s.stl, blocks: s.blk,
    effectiveFieldGoalPct: ratio(s.fgm + 0.5 * s.tpm, s.fga), trueShootingPct: ratio(s.pts, 2 * (s.fga + 0.44 * s.fta)),
    assistsTurnoverRatio: ratio(s.ast, s.tov), freeThrowRate: ratio(s.fta, s.fga),
    ...shootingLines(s),
  }));
}

interface Shots { dm: number; da: number; dAst: number; lm: number; la: number; lAst: number; jm: number; ja: number; jAst: number; tm: number; ta: number; tAst: number; fm: number; fa: number }
const noShots = (): Shots => ({ dm: 0, da: 0, dAst: 0, lm: 0, la: 0, lAst: 0, jm: 0, ja: 0, jAst: 0, tm: 0, ta: 0, tAst: 0, fm: 0, fa: 0 });

/** Count one shooting play into a breakdown by shot type. */
export function countShot(s: Shots, p: PlayInfo): void {
  const info = p.shotInfo;
  if (!info) return;
  const made = info.made ? 1 : 0;
  const assisted = info.made && info.assisted ? 1 : 0;
  if (info.range === 'free_throw') {
    s.fa++;
    s.fm += made;
  } else if (info.range === 'three_pointer') {
    s.ta++;
    s.tm += made;
    s.tAst += assisted;
  } else if (info.range === 'jumper') {
    s.ja++;
    s.jm += made;
    s.jAst += assisted;
  } else if (p.playType === 'DunkShot') {
    s.da++;
    s.dm += made;
    s.dAst += assisted;
  } else {
    s.la++;
    s.lm += made;
    s.lAst += assisted;
  }
}

const share = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : 0);
const breakdown = (made: number, attempted: number) => ({ made, attempted, pct: share(made, attempted) });

/** The shooting section of the season stats endpoints, from a breakdown. */
export function shootingStats(s: Shots): Omit<SeasonShootingStats, 'season' | 'teamId' | 'team' | 'conference'> {
  const fga = s.da + s.la + s.ja + s.ta;
  const fgm = s.dm + s.lm + s.jm + s.tm;
  return {
    trackedShots: fga,
    assistedPct: share(s.dAst + s.lAst + s.jAst + s.tAst, fgm),
    freeThrowRate: share(s.fa, fga),
    dunks: { ...breakdown(s.dm, s.da), assisted: s.dAst, assistedPct: share(s.dAst, s.dm) },
    layups: { ...breakdown(s.lm, s.la), assisted: s.lAst, assistedPct: share(s.lAst, s.lm) },
    tipIns: breakdown(0, 0),
    twoPointJumpers: { ...breakdown(s.jm, s.ja), assisted: s.jAst, assistedPct: share(s.jAst, s.jm) },
    threePointJumpers: { ...breakdown(s.tm, s.ta), assisted: s.tAst, assistedPct: share(s.tAst, s.tm) },
    freeThrows: breakdown(s.fm, s.fa),
    attemptsBreakdown: { threePointJumpers: share(s.ta, fga), twoPointJumpers: share(s.ja, fga), tipIns: 0, layups: share(s.la, fga), dunks: share(s.da, fga) },
  };
}

/** Team and player shooting over a season, counted game by game so a season's plays are never all in memory. */
export class ShootingTally {
  private readonly teams = new Map<number, { p: PlayInfo; s: Shots }>();
  private readonly players = new Map<number, { p: PlayInfo; s: Shots }>();

  constructor(private readonly season: number, private readonly isDivisionOne: (teamId: number) => boolean) {}

  add(plays: Iterable<PlayInfo>): void {
    for (const p of plays) {
      if (!p.shotInfo || p.teamId === null || !this.isDivisionOne(p.teamId)) continue;
      let t = this.teams.get(p.teamId);
      if (!t) this.teams.set(p.teamId, (t = { p, s: noShots() }));
      countShot(t.s, p);
      const shooter = p.shotInfo.shooter.id;
      if (shooter === null) continue;
      let pl = this.players.get(shooter);
      if (!pl) this.players.set(shooter, (pl = { p, s: noShots() }));
      countShot(pl.s, p);
    }
  }

  result(): { teams: SeasonShootingStats[]; players: PlayerSeasonShootingStats[] } {
    const base = (p: PlayInfo) => ({ season: this.season, teamId: p.teamId!, team: p.team!, conference: p.conference });
    return {
      teams: [...this.teams.values()].map(({ p, s }): SeasonShootingStats => ({ ...base(p), ...shootingStats(s) })),
      players: [...this.players.entries()].map(([id, { p, s }]): PlayerSeasonShootingStats => ({
        ...base(p), ...shootingStats(s), athleteId: id, athleteName: p.shotInfo!.shooter.name ?? '',
      })),
    };
  }
}
