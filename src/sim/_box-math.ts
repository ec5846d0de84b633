/** Box-score arithmetic shared by game and season views: percentages, ratios, shooting lines, four factors. */

export interface ShotCounts {
  fgm: number; fga: number; tpm: number; tpa: number; ftm: number; fta: number; oreb: number; dreb: number; tov: number;
}

/** A percentage with one decimal, or null when nothing was attempted. */
export const pct = (made: number, attempted: number) => (attempted ? Math.round((made / attempted) * 1000) / 10 : null);

/** A ratio with `digits` decimals, or null for a zero denominator. */
export const ratio = (a: number, b: number, digits = 3) => (b ? Math.round((a / b) * 10 ** digits) / 10 ** digits : null);

/** The field-goal, two, three, free-throw and rebound lines every box score carries. */
export function shootingLines(c: ShotCounts) {
  return {
    fieldGoals: { pct: pct(c.fgm, c.fga), attempted: c.fga, made: c.fgm },
    twoPointFieldGoals: { pct: pct(c.fgm - c.tpm, c.fga - c.tpa), attempted: c.fga - c.tpa, made: c.fgm - c.tpm },
    threePointFieldGoals: { pct: pct(c.tpm, c.tpa), attempted: c.tpa, made: c.tpm },
    freeThrows: { pct: pct(c.ftm, c.fta), attempted: c.fta, made: c.ftm },
    rebounds: { total: c.oreb + c.dreb, defensive: c.dreb, offensive: c.oreb },
  };
}

export function fourFactors(c: ShotCounts, opponentDefensiveRebounds: number, possessions: number) {
  return {
    freeThrowRate: ratio(c.fta, c.fga),
    offensiveReboundPct: ratio(c.oreb, c.oreb + opponentDefensiveRebounds),
    turnoverRatio: ratio(c.tov, possessions),
    effectiveFieldGoalPct: ratio(c.fgm + 0.5 * c.tpm, c.fga),
  };
}
