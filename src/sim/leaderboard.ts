/**
 * GET /stats/team/leaderboard: one record per Division I team, built from the same season totals, shooting and
 * adjusted ratings the other season endpoints serve, so the leaderboard never disagrees with them.
 */
import type { AdjustedEfficiencyInfo, SeasonShootingStats, TeamSeasonStats, TeamSeasonUnitStats, TeamStatsLeaderboardRecord, TeamStatsLeaderboardUnitStats } from 'cbbd';

const n = (v: number | null | undefined) => v ?? 0;
const rate = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : null);

function unitOf(u: TeamSeasonUnitStats): TeamStatsLeaderboardUnitStats {
  return {
    points: { fastBreak: n(u.points.fastBreak), offTurnovers: n(u.points.offTurnovers), inPaint: n(u.points.inPaint), total: n(u.points.total) },
    possessions: n(u.possessions),
    rawOffensiveRating: u.rating,
    trueShootingPct: u.trueShooting,
    effectiveFieldGoalPct: u.fourFactors.effectiveFieldGoalPct,
    turnoverRatio: u.fourFactors.turnoverRatio,
    offensiveReboundPct: u.fourFactors.offensiveReboundPct,
    freeThrowRate: u.fourFactors.freeThrowRate,
    fieldGoals: { attempted: n(u.fieldGoals.attempted), made: n(u.fieldGoals.made) },
    twoPointFieldGoals: { attempted: n(u.twoPointFieldGoals.attempted), made: n(u.twoPointFieldGoals.made) },
    threePointFieldGoals: { attempted: n(u.threePointFieldGoals.attempted), made: n(u.threePointFieldGoals.made) },
    freeThrows: { attempted: n(u.freeThrows.attempted), made: n(u.freeThrows.made) },
    rebounds: { total: n(u.rebounds.total), defensive: n(u.rebounds.defensive), offensive: n(u.rebounds.offensive) },
    turnovers: { technical: 0, team: n(u.turnovers.teamTotal), total: n(u.turnovers.total) },
    fouls: { flagrant: n(u.fouls.flagrant), technical: n(u.fouls.technical), total: n(u.fouls.total) },
    assists: n(u.assists), blocks: n(u.blocks), steals: n(u.steals),
  };
}

export function leaderboardOf(
  stats: readonly TeamSeasonStats[],
  shooting: readonly SeasonShootingStats[],
  adjusted: readonly AdjustedEfficiencyInfo[],
  conferenceIdOf: (abbreviation: string | null) => number | null,
): TeamStatsLeaderboardRecord[] {
  const shots = new Map(shooting.map((s) => [s.teamId, s]));
  const ratings = new Map(adjusted.map((a) => [a.teamId, a]));
  return stats.map((t) => {
    const s = shots.get(t.teamId);
    const a = ratings.get(t.teamId);
    const fga = s?.trackedShots ?? 0;
    const rim = s ? { made: s.dunks.made + s.layups.made + s.tipIns.made, attempted: s.dunks.attempted + s.layups.attempted + s.tipIns.attempted, assisted: s.dunks.assisted + s.layups.assisted } : { made: 0, attempted: 0, assisted: 0 };
    return {
      season: t.season, teamId: t.teamId, team: t.team,
      conference: { id: conferenceIdOf(t.conference), abbreviation: t.conference },
      record: { games: t.games, wins: t.wins, losses: t.losses },
      summary: {
        totalMinutes: n(t.totalMinutes), trackedShots: fga, pace: t.pace,
        rawNetRating: t.teamStats.rating !== null && t.opponentStats.rating !== null ? Math.round((t.teamStats.rating - t.opponentStats.rating) * 10) / 10 : null,
      },
      teamStats: unitOf(t.teamStats),
      opponentStats: unitOf(t.opponentStats),
      shotProfile: {
        assistedPct: s?.assistedPct ?? 0,
        atRim: { assistedPct: rate(rim.assisted, rim.made), pct: rate(rim.made, rim.attempted), rate: rate(rim.attempted, fga) },
        dunk: { rate: rate(s?.dunks.attempted ?? 0, fga), assisted: s?.dunks.assisted ?? 0, made: s?.dunks.made ?? 0, attempts: s?.dunks.attempted ?? 0 },
        layup: { rate: rate(s?.layups.attempted ?? 0, fga), assisted: s?.layups.assisted ?? 0, made: s?.layups.made ?? 0, attempts: s?.layups.attempted ?? 0 },
        tipIn: { rate: rate(s?.tipIns.attempted ?? 0, fga), made: s?.tipIns.made ?? 0, attempts: s?.tipIns.attempted ?? 0 },
        twoPointJumper: {
          assistedPct: s ? s.twoPointJumpers.assistedPct : null, pct: s ? s.twoPointJumpers.pct : null, rate: rate(s?.twoPointJumpers.attempted ?? 0, fga),
          assisted: s?.twoPointJumpers.assisted ?? 0, made: s?.twoPointJumpers.made ?? 0, attempts: s?.twoPointJumpers.attempted ?? 0,
        },
        threePointJumper: {
          assistedPct: s ? s.threePointJumpers.assistedPct : null, pct: s ? s.threePointJumpers.pct : null, rate: rate(s?.threePointJumpers.attempted ?? 0, fga),
          assisted: s?.threePointJumpers.assisted ?? 0, made: s?.threePointJumpers.made ?? 0, attempts: s?.threePointJumpers.attempted ?? 0,
        },
        freeThrows: { rate: s?.freeThrowRate ?? 0, made: s?.freeThrows.made ?? 0, attempts: s?.freeThrows.attempted ?? 0 },
        distribution: {
          threeRate: rate(s?.threePointJumpers.attempted ?? 0, fga),
          jumperRate: rate((s?.threePointJumpers.attempted ?? 0) + (s?.twoPointJumpers.attempted ?? 0), fga),
          midrangeRate: rate(s?.twoPointJumpers.attempted ?? 0, fga),
        },
      },
      adjustedEfficiency: a
        ? { offensiveRating: a.offensiveRating, defensiveRating: a.defensiveRating, netRating: a.netRating, rankings: { net: a.rankings.net, defense: a.rankings.defense, offense: a.rankings.offense } }
        : null,
    };
  });
}
