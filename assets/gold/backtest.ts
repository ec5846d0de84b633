/**
 * The ratings backtest (GOLD.md `ratings_backtest`): how well each predictor called the season's final Division I
 * games before they were played, the figures that say whether to trust the ratings and that chose every default of
 * the model (docs/gold.md).
 *
 * - gold/ratings_backtest_games: one row per final Division I game, with each predictor's pre-game home margin: ours
 *   (`pred_margin` of game_predictions_features), the no-garbage variant (the same prediction from
 *   team_adjusted_efficiencies_no_garbage), our pre-game SRS plus the same home court, a plain least-squares margin
 *   fit (Massey) from the games before the game's date, and the consensus closing line.
 * - gold/ratings_backtest: season × predictor, over the games from December 1 on that have a line and every
 *   prediction: MAE, RMSE, bias and winner accuracy against the result; against the line, MAE, and the record and
 *   ROI at −110 of betting the side the predictor favours where it differs from the line by more than 3 points.
 * - gold/ratings_backtest_monthly: the same errors by month, the whole season (what the page draws).
 */
import { createHash } from 'node:crypto';
import { defineAsset, type AssetDefinition, type AssetSpec, type ColumnSpec } from '../../src/core/asset.ts';
import { seasonOfKey } from '../../src/core/partitions.ts';
import { defineSqlAsset, InputFiles, tableOutput } from '../../src/authoring/sql-asset.ts';
import { partitionPrefix, SEASON_KEY, tableLayout } from '../../src/lake/table-layout.ts';
import { TableWriter } from '../../src/authoring/table-writer.ts';
import type { ProjectResources } from '../resources.ts';
import { keysCheck, SEASON_WALK_SOURCE, SOLVER_SOURCE } from './adjusted-efficiencies.ts';
import { masseyPredictions, type ResultRow } from './season-walk.ts';
import { predictionColumns } from './predictions.ts';

const col = (name: string, type: string, nullable = true): ColumnSpec => ({ name, type, nullable });
const cols = (type: string, ...names: string[]) => names.map((n) => col(n, type));

/** The predictors, in the order they are listed. */
export const PREDICTORS = [
  ['ours', 'pred_ours'], ['ours_no_garbage', 'pred_no_garbage'], ['srs', 'pred_srs'], ['massey', 'pred_massey'], ['line', 'line_margin'],
] as const;

/** |prediction − line| beyond which the backtest bets the side the prediction favours. */
export const ATS_EDGE = 3;

const GAME_COLUMNS: ColumnSpec[] = [
  col('gameId', 'bigint', false), col('game_date', 'string', false), ...cols('bigint', 'homeTeamId', 'awayTeamId'), ...cols('string', 'home_team', 'away_team'),
  col('is_neutral', 'boolean'), col('home_margin', 'int'), col('line_margin', 'double'),
  ...cols('double', 'pred_ours', 'pred_no_garbage', 'pred_srs', 'pred_massey', 'win_prob_ours'),
  SEASON_KEY,
];

/**
 * Final Division I games from the home side's row of the features, with our prediction, the SRS's and the no-garbage
 * ratings' (joined as of the game's morning); Massey's is added in TypeScript.
 */
const GAMES_SQL = `
WITH d1 AS (SELECT id AS teamId FROM teams WHERE conferenceId IS NOT NULL),
home AS (
  SELECT * FROM features
  WHERE is_home AND team_score IS NOT NULL AND opp_score IS NOT NULL
    AND teamId IN (SELECT teamId FROM d1) AND opponentId IN (SELECT teamId FROM d1)
),
joined AS (
  SELECT h.gameId, h.game_date, h.teamId AS homeTeamId, h.opponentId AS awayTeamId, h.team AS home_team, h.opponent AS away_team, h.is_neutral,
    (h.team_score - h.opp_score)::INTEGER AS home_margin, -h.spread AS line_margin,
    h.pred_margin AS pred_ours, h.team_srs - h.opp_srs + h.pred_home_court AS pred_srs, h.pred_win_prob AS win_prob_ours,
    t.adj_oe AS t_adj_oe, t.adj_de AS t_adj_de, t.adj_tempo AS t_adj_tempo, o.adj_oe AS o_adj_oe, o.adj_de AS o_adj_de, o.adj_tempo AS o_adj_tempo,
    coalesce(t.hca, o.hca) AS hca, coalesce(t.league_eff, o.league_eff) AS league_eff, coalesce(t.league_tempo, o.league_tempo) AS league_tempo,
    CASE WHEN h.is_neutral THEN 0 ELSE 1 END AS venue
  FROM home h
  LEFT JOIN no_garbage t ON t.teamId = h.teamId AND t.date = h.game_date
  LEFT JOIN no_garbage o ON o.teamId = h.opponentId AND o.date = h.game_date
)
SELECT gameId::DOUBLE AS gameId, game_date, homeTeamId::DOUBLE AS homeTeamId, awayTeamId::DOUBLE AS awayTeamId, home_team, away_team, is_neutral,
  home_margin, line_margin, pred_ours, pred_margin AS pred_no_garbage, pred_srs, win_prob_ours
FROM (SELECT *, ${predictionColumns('t_', 'o_')} FROM joined)
ORDER BY game_date, gameId`;

/** Predictions in long form, each with the result and the line, and whether the backtest bets it and wins. */
const judged = (where: string) => `
WITH base AS (
  SELECT * FROM games WHERE line_margin IS NOT NULL AND ${PREDICTORS.map(([, c]) => `${c} IS NOT NULL`).join(' AND ')}${where}
),
long AS (
  ${PREDICTORS.map(([name, c]) => `SELECT game_date, home_margin, line_margin, '${name}' AS predictor, ${c} AS pred FROM base`).join('\n  UNION ALL ')}
),
judged AS (
  SELECT *, pred - home_margin AS error, predictor <> 'line' AND abs(pred - line_margin) > ${ATS_EDGE} AS bet,
    CASE WHEN home_margin = line_margin THEN NULL ELSE (pred > line_margin) = (home_margin > line_margin) END AS bet_won
  FROM long
)`;

/** A mean summed exactly (as DECIMAL), so the figures do not depend on the order DuckDB's threads add them in. */
const mean = (x: string) => `(avg((${x})::DECIMAL(38,12)))::DOUBLE`;
const r3 = (x: string) => `round(${x}, 3)`;

const ERROR_COLUMNS = `count(*)::INTEGER AS games, ${r3(mean('abs(error)'))} AS mae, ${r3(`sqrt(${mean('error * error')})`)} AS rmse, ${r3(mean('error'))} AS bias`;
const VS_LINE = `CASE WHEN predictor = 'line' THEN NULL ELSE ${r3(mean('abs(pred - line_margin)'))} END AS mae_vs_line`;

const BACKTEST_SQL = `${judged(` AND game_date >= (getvariable('season') - 1)::VARCHAR || '-12-01'`)}
SELECT predictor, ${ERROR_COLUMNS},
  ${r3(mean(`CASE WHEN pred = 0 THEN 0.5 WHEN (pred > 0) = (home_margin > 0) THEN 1 ELSE 0 END`))} AS winner_accuracy,
  ${VS_LINE},
  CASE WHEN predictor = 'line' THEN NULL ELSE (count(*) FILTER (WHERE bet AND bet_won IS NOT NULL))::INTEGER END AS ats_games,
  CASE WHEN predictor = 'line' THEN NULL ELSE (count(*) FILTER (WHERE bet AND bet_won))::INTEGER END AS ats_wins,
  CASE WHEN predictor = 'line' THEN NULL ELSE (count(*) FILTER (WHERE bet AND NOT bet_won))::INTEGER END AS ats_losses,
  CASE WHEN predictor = 'line' THEN NULL ELSE (count(*) FILTER (WHERE bet AND bet_won IS NULL))::INTEGER END AS ats_pushes,
  ${r3(`count(*) FILTER (WHERE bet AND bet_won) / nullif(count(*) FILTER (WHERE bet AND bet_won IS NOT NULL), 0)`)} AS ats_win_pct,
  ${r3(`(count(*) FILTER (WHERE bet AND bet_won) - 1.1 * count(*) FILTER (WHERE bet AND NOT bet_won)) / nullif(1.1 * count(*) FILTER (WHERE bet AND bet_won IS NOT NULL), 0)`)} AS roi_110
FROM judged GROUP BY predictor`;

const MONTHLY_SQL = `${judged('')}
SELECT predictor, substr(game_date, 1, 7) AS month, ${ERROR_COLUMNS}, ${VS_LINE}
FROM judged GROUP BY predictor, month`;

const BACKTEST_COLUMNS: ColumnSpec[] = [
  col('predictor', 'string', false), col('games', 'int'), ...cols('double', 'mae', 'rmse', 'bias', 'winner_accuracy', 'mae_vs_line'),
  ...cols('int', 'ats_games', 'ats_wins', 'ats_losses', 'ats_pushes'), ...cols('double', 'ats_win_pct', 'roi_110'),
  SEASON_KEY,
];
const MONTHLY_COLUMNS: ColumnSpec[] = [
  col('predictor', 'string', false), col('month', 'string', false), col('games', 'int'), ...cols('double', 'mae', 'rmse', 'bias', 'mae_vs_line'),
  SEASON_KEY,
];

export function backtestAssets(resources: ProjectResources, upstream: (key: string) => AssetSpec | undefined): AssetDefinition[] {
  const storage = resources.storage;
  const inputs = { features: 'gold/game_predictions_features', noGarbage: 'gold/team_adjusted_efficiencies_no_garbage', teams: 'silver/dim_teams' } as const;
  for (const key of Object.values(inputs)) if (!upstream(key)) throw new Error(`gold/ratings_backtest_games: ${key} must be declared first`);
  const spec: AssetSpec = {
    key: 'gold/ratings_backtest_games',
    description: 'Every final Division I game of a season with each predictor\'s pre-game home margin: ours (pred_margin), the no-garbage ratings\', our SRS\'s, a least-squares margin fit (Massey) on the games before it, and the closing line; and the result.',
    deps: [{ key: inputs.features }, { key: inputs.noGarbage, mapping: 'date_to_season' }, { key: inputs.teams }],
    partitions: { kind: 'season' },
    codeVersion: `backtest.${createHash('sha256').update(JSON.stringify([GAME_COLUMNS, GAMES_SQL, SOLVER_SOURCE, SEASON_WALK_SOURCE])).digest('hex').slice(0, 10)}`,
    schema: { columns: GAME_COLUMNS, primaryKey: ['gameId', 'season'] },
    preview: { orderBy: 'game_date desc, gameId' },
    checks: [keysCheck('One row per game.')],
  };
  const layout = tableLayout(spec);
  const layouts = Object.fromEntries(Object.entries(inputs).map(([name, key]) => [name, tableLayout(upstream(key)!)]));
  const games = defineAsset(spec, async (ctx) => {
    const writer = await TableWriter.open(storage);
    const files = new InputFiles(storage);
    try {
      const rows: Record<string, unknown>[] = [];
      for (const partition of ctx.partitions) {
        const read = async (name: keyof typeof inputs) => ({ files: await files.of(inputs[name], ctx.inputPartitions(inputs[name], partition)), layout: layouts[name]! });
        const relations = { features: await read('features'), no_garbage: await read('noGarbage'), teams: await read('teams') };
        const season = await writer.read(GAMES_SQL, relations);
        const d1 = (await writer.read('SELECT id::DOUBLE AS id FROM teams WHERE conferenceId IS NOT NULL ORDER BY id', relations)).map((r) => Number(r.id));
        const results: ResultRow[] = season.map((g) => ({
          gameId: Number(g.gameId), date: String(g.game_date), homeTeamId: Number(g.homeTeamId), awayTeamId: Number(g.awayTeamId), neutral: Boolean(g.is_neutral), margin: Number(g.home_margin),
        }));
        const massey = masseyPredictions(d1, results);
        for (const g of season) rows.push({ ...g, pred_massey: massey.get(Number(g.gameId)) ?? null, __partition: partition });
      }
      await writer.loadRows('games', GAME_COLUMNS.filter((c) => c.name !== 'season'), rows);
      const written = await writer.writeCached('games', ctx.partitions.map((p) => ({ partition: p, prefix: partitionPrefix(spec.key, p), date: '' })), ['gameId'], layout);
      return ctx.partitions.map((p) => tableOutput(p, written.get(p)!, { games: rows.filter((r) => r.__partition === p).length, season: seasonOfKey(p) }));
    } finally {
      await writer.close();
    }
  });
  const lookup = (key: string) => (key === games.key ? games : upstream(key));
  return [
    games,
    defineSqlAsset(storage, {
      key: 'gold/ratings_backtest',
      description: `How each predictor called the season's final Division I games from December 1 on (those with a line and every prediction): MAE, RMSE, bias (predicted − actual home margin) and winner accuracy; against the line, MAE, and betting the side it favours where it differs from the line by more than ${ATS_EDGE} points: record (pushes apart), win share and ROI at −110.`,
      partitions: { kind: 'season' },
      inputs: { games: 'gold/ratings_backtest_games' },
      sql: BACKTEST_SQL,
      schema: { columns: BACKTEST_COLUMNS, primaryKey: ['predictor', 'season'] },
      preview: { orderBy: 'rmse, predictor' },
    }, lookup),
    defineSqlAsset(storage, {
      key: 'gold/ratings_backtest_monthly',
      description: 'The backtest\'s errors by month of the season, every final Division I game with a line and every prediction: how fast each predictor learns the season.',
      partitions: { kind: 'season' },
      inputs: { games: 'gold/ratings_backtest_games' },
      sql: MONTHLY_SQL,
      schema: { columns: MONTHLY_COLUMNS, primaryKey: ['predictor', 'month', 'season'] },
      preview: { orderBy: 'month, rmse' },
    }, lookup),
  ];
}
