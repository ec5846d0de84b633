/**
 * gold/team_adjusted_efficiencies (and `_no_garbage`, from the garbage-removed box scores): each Division I team's
 * adjusted offensive and defensive efficiency as of the morning of every game day, solved by `solver.ts`.
 *
 * A rating date D reads every earlier game day of its season (`earlier_dates`), so a late correction to one day
 * makes exactly the later rating dates stale. The solver walks the season's game days in order, each date
 * warm-started from the previous one; a step's dates are solved along that same walk from the season's first game
 * day, so a date's ratings never depend on which dates a step happened to hold (a nightly of one new date gives the
 * same figures as the backfill, bit for bit).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { defineAsset, type AssetDefinition, type AssetSpec, type ColumnSpec, type PartitionOutput } from '../../src/core/asset.ts';
import { dateOfKey, seasonOfKey } from '../../src/core/partitions.ts';
import { InputFiles, KEYS_CHECK, tableOutput } from '../../src/lake/sql-asset.ts';
import { DATE_KEY, partitionPrefix, SEASON_KEY, tableLayout } from '../../src/lake/table-layout.ts';
import { TableWriter } from '../../src/lake/table-writer.ts';
import { DEFAULT_GOLD, type ProjectResources } from '../resources.ts';
import { solveSeason } from './season-walk.ts';
import { solve } from './solver.ts';

const col = (name: string, type: string, nullable = true): ColumnSpec => ({ name, type, nullable });

/**
 * A module's TypeScript source, read beside this one (compiled, the build ships it there: scripts/build.ts). Code
 * versions hash source text, never a function's compiled text, which the bundle the CLI runs renames.
 */
const sourceText = (file: string, fallback: () => string): string => {
  const url = new URL(file, import.meta.url);
  return existsSync(url) ? readFileSync(url, 'utf8') : fallback();
};
/** The whole solver's source, in the code version: a change anywhere in it (SOS, tempo, SRS, acceleration) rebuilds. */
const SOLVER_SOURCE = sourceText('./solver.ts', () => solve.toString());
/** And how a season's dates are walked and solved (solveSeason). */
const SEASON_WALK_SOURCE = sourceText('./season-walk.ts', () => solveSeason.toString());

export const EFFICIENCY_COLUMNS: ColumnSpec[] = [
  col('teamId', 'bigint', false), col('rating_date', 'date', false), col('team', 'string'), col('conference', 'string'),
  col('adj_oe', 'double'), col('adj_de', 'double'), col('adj_tempo', 'double'), col('barthag', 'double'), col('adj_margin', 'double'),
  col('games_played', 'int', false), col('raw_oe', 'double'), col('raw_de', 'double'), col('sos_oe', 'double'), col('sos_de', 'double'),
  col('srs', 'double'),
  SEASON_KEY, DATE_KEY,
];

/** Division I teams of the season: the season's teams in a Division I conference, as the API lists them that season. */
const DIVISION_ONE_SQL = `SELECT id::BIGINT AS teamId, school AS team, conference FROM teams WHERE conferenceId IS NOT NULL ORDER BY id`;

/**
 * Both sides of Division I games with opponent data: a game whose opponent row is missing is dropped, never zeroed.
 * Ids as DOUBLE: they are read into JS numbers (every id fits in 53 bits).
 */
const GAMES_SQL = `
  SELECT f.teamId::DOUBLE AS teamId, f.opponentId::DOUBLE AS opponentId, f.points, f.opp_points, f.possessions, f.opp_possessions,
    f.game_minutes, CASE WHEN f.is_neutral THEN 0 WHEN f.is_home THEN 1 WHEN NOT f.is_home THEN -1 ELSE 0 END AS venue, f.date
  FROM flat f SEMI JOIN d1 a ON a.teamId = f.teamId SEMI JOIN d1 b ON b.teamId = f.opponentId
  WHERE f.opp_points IS NOT NULL AND f.possessions > 0 AND f.opp_possessions > 0
  ORDER BY f.date, f.gameId, f.teamId`;

export function adjustedEfficiencyAssets(resources: ProjectResources, upstream: (key: string) => AssetSpec | undefined): AssetDefinition[] {
  const params = resources.gold ?? DEFAULT_GOLD;
  return [
    ['gold/team_adjusted_efficiencies', 'silver/fct_pbp_game_teams_flat', ''],
    ['gold/team_adjusted_efficiencies_no_garbage', 'silver/fct_pbp_game_teams_flat_garbage_removed', ', garbage time left out'],
  ].map(([key, flatKey, note]) => {
    const spec: AssetSpec = {
      key: key!,
      description: `Adjusted offensive and defensive efficiency of every Division I team as of the morning of each game day (games before it only)${note}; home court ${params.hca} per 100 possessions, SOS exponent ${params.sosExponent}.`,
      deps: [{ key: flatKey!, mapping: 'earlier_dates' }, { key: 'silver/dim_teams', mapping: 'season_to_date' }],
      partitions: { kind: 'season_date', calendar: 'raw/games' },
      batch: { maxPartitions: 400 },
      codeVersion: `solver.${createHash('sha256').update(JSON.stringify([params, EFFICIENCY_COLUMNS, GAMES_SQL, DIVISION_ONE_SQL, SOLVER_SOURCE, SEASON_WALK_SOURCE])).digest('hex').slice(0, 10)}`,
      schema: { columns: EFFICIENCY_COLUMNS, primaryKey: ['teamId', 'season', 'date'] },
      preview: { orderBy: 'adj_margin desc' },
      checks: [
        {
          name: KEYS_CHECK, description: 'One row per team and rating date.',
          run: ({ output }) => {
            const p = output.metadata?.keyProblems as { nullKeys: number; duplicateKeys: number } | undefined;
            return { passed: !p || (p.nullKeys === 0 && p.duplicateKeys === 0) };
          },
        },
        {
          name: 'solver_converged', blocking: false, description: `The solver met its tolerance (${params.tolerance}) within ${params.maxIterations} iterations.`,
          run: ({ output }) => {
            const m = output.metadata as { iterations?: number; finalChange?: number } | undefined;
            const passed = (m?.finalChange ?? 0) < params.tolerance;
            return { passed, detail: `${m?.iterations ?? 0} iteration(s), final change ${(m?.finalChange ?? 0).toFixed(4)}` };
          },
        },
      ],
    };
    if (!upstream(flatKey!) || !upstream('silver/dim_teams')) throw new Error(`${key}: ${flatKey} and silver/dim_teams must be declared first`);
    const layout = tableLayout(spec);
    const flatLayout = tableLayout(upstream(flatKey!)!);
    const teamsLayout = tableLayout(upstream('silver/dim_teams')!);
    return defineAsset(spec, async (ctx) => {
      const writer = await TableWriter.open(resources.storage);
      const files = new InputFiles(resources.storage);
      try {
        const outputs: PartitionOutput[] = [];
        const bySeason = new Map<number, string[]>();
        for (const p of ctx.partitions) bySeason.set(seasonOfKey(p)!, [...(bySeason.get(seasonOfKey(p)!) ?? []), p]);
        for (const [season, partitions] of bySeason) {
          const last = partitions.at(-1)!;
          const earlier = ctx.inputPartitions(flatKey!, last);
          const inputs = {
            flat: { files: await files.of(flatKey!, earlier), layout: flatLayout },
            teams: { files: await files.of('silver/dim_teams', ctx.inputPartitions('silver/dim_teams', last)), layout: teamsLayout },
          };
          await writer.read(`CREATE OR REPLACE TEMP TABLE d1 AS ${DIVISION_ONE_SQL}`, inputs);
          const d1 = await writer.read('SELECT teamId::DOUBLE AS teamId, team, conference FROM d1', {});
          const rows = await writer.read(GAMES_SQL, inputs);
          const walk = [...new Set([...earlier.map((p) => dateOfKey(p)!), ...partitions.map((p) => dateOfKey(p)!)])].sort();
          const wanted = new Set(partitions.map((p) => dateOfKey(p)!));
          const solved = solveSeason(season, walk, wanted, d1 as never, rows as never, params);
          await writer.loadRows('solved', EFFICIENCY_COLUMNS.filter((c) => c.name !== 'season' && c.name !== 'date'), solved.rows);
          // Every rating date of the step written with one COPY, each committed on its own.
          const written = await writer.writeCached('solved', partitions.map((p) => ({ partition: p, prefix: partitionPrefix(spec.key, p), date: dateOfKey(p)! })), ['teamId'], layout);
          for (const partition of partitions) {
            if (ctx.signal.aborted) break;
            const stats = solved.stats.get(dateOfKey(partition)!)!;
            outputs.push(tableOutput(partition, written.get(partition)!, { iterations: stats.iterations, finalChange: Number(stats.finalChange.toFixed(6)), games: stats.games, league: Number(stats.league.toFixed(3)) }));
          }
        }
        return outputs;
      } finally {
        await writer.close();
      }
    });
  });
}
