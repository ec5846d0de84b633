/**
 * GOLD.md's pre-game predictions, as SQL: `pred_margin`, `pred_total` and `pred_win_prob` of
 * gold/game_predictions_features, and the same prediction from the no-garbage ratings in the backtest.
 */

/** The spread of results around `pred_margin` assumed before any game (points), and its weight in games. */
export const WIN_PROB_PRIOR = { sd: 11, games: 50 } as const;

/**
 * The standard normal CDF of a SQL expression (Abramowitz and Stegun 26.2.17, error under 1e-7): DuckDB has none.
 * `z` is evaluated several times; pass a column.
 */
export function normalCdf(z: string): string {
  const t = `(1 / (1 + 0.2316419 * abs(${z})))`;
  const tail = `(exp(-0.5 * ${z} * ${z}) / sqrt(2 * pi()) * ${t} * (0.319381530 + ${t} * (-0.356563782 + ${t} * (1.781477937 + ${t} * (-1.821255978 + ${t} * 1.330274429)))))`;
  return `CASE WHEN ${z} IS NULL THEN NULL WHEN ${z} >= 0 THEN 1 - ${tail} ELSE ${tail} END`;
}

/**
 * GOLD.md's prediction of a game from both sides' ratings as of its morning (columns `${t}adj_oe`... of the side and
 * `${o}...` of its opponent, `hca`, `league_eff` and `league_tempo` of the date, `venue` 1 home, -1 away, 0 neutral):
 * expected possessions = tempo · opponent tempo / league tempo; expected efficiency of each side = its adj_oe · the
 * other's adj_de / L; margin from this side = (own − opponent's) · possessions / 100 plus home court in points.
 */
export function predictionColumns(t: string, o: string): string {
  const possessions = `(${t}adj_tempo * ${o}adj_tempo / league_tempo)`;
  const own = `(${t}adj_oe * ${o}adj_de / league_eff)`;
  const opponent = `(${o}adj_oe * ${t}adj_de / league_eff)`;
  const homeCourt = `(venue * 2 * hca * ${possessions} / 100)`;
  return `${possessions} AS pred_possessions, (${own} - ${opponent}) * ${possessions} / 100 + ${homeCourt} AS pred_margin,
    (${own} + ${opponent}) * ${possessions} / 100 AS pred_total, ${homeCourt} AS pred_home_court`;
}
