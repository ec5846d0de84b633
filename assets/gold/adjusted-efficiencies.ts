/**
 * gold/team_adjusted_efficiencies (and `_no_garbage`, from the garbage-removed box scores): each Division I team's
 * adjusted offensive and defensive efficiency as of the morning of every rating date, solved by `solver.ts`; with the
 * assets it needs:
 *
 * - gold/rating_dates (one partition per season): the season's game days and the day after its last one, the calendar
 *   of the ratings' partitions, so the final rating includes the final games;
 * - gold/team_preseason_prior (and `_no_garbage`, one partition per season): each team's prior, last season's final
 *   rating regressed toward the league average, solved from the seasons before (season-walk.ts `priorsOf`).
 *
 * Every final Division I game counts: its play-by-play figures where it has plays, otherwise its box score's
 * (silver/fct_game_teams_without_plays, possessions by formula); a game with neither is dropped and counted.
 * A rating date D reads every earlier game day of its season (`earlier_dates`), so a late correction to one day
 * makes exactly the later rating dates stale. The solver walks the season's dates in order, each date warm-started
 * from the previous one; a step's dates are solved along that same walk from the season's first rating date, so a
 * date's ratings never depend on which dates a step happened to hold (a nightly of one new date gives the same
 * figures as the backfill, bit for bit).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { defineAsset, type AssetCheck, type AssetDefinition, type AssetSpec, type ColumnSpec, type PartitionOutput } from '../../src/core/asset.ts';
import { dateOfKey, isoDateToDay, seasonBounds, seasonOfKey } from '../../src/core/partitions.ts';
import { InputFiles, KEYS_CHECK, tableOutput } from '../../src/authoring/sql-asset.ts';
import { DATE_KEY, partitionPrefix, SEASON_KEY, tableLayout } from '../../src/lake/table-layout.ts';
import { TableWriter } from '../../src/authoring/table-writer.ts';
import { DEFAULT_GOLD, type ProjectResources } from '../resources.ts';
import { PRIOR_CHAIN_SEASONS, priorsOf, ratingDates, seasonPrior, solveSeason, type GameRow, type PriorRow, type TeamRow } from './season-walk.ts';
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
export const SOLVER_SOURCE = sourceText('./solver.ts', () => solve.toString());
/** And how a season's dates are walked and solved (solveSeason), and priors chained (priorsOf). */
export const SEASON_WALK_SOURCE = sourceText('./season-walk.ts', () => solveSeason.toString() + priorsOf.toString());

export const EFFICIENCY_COLUMNS: ColumnSpec[] = [
  col('teamId', 'bigint', false), col('rating_date', 'date', false), col('team', 'string'), col('conference', 'string'),
  col('adj_oe', 'double'), col('adj_de', 'double'), col('adj_tempo', 'double'), col('barthag', 'double'), col('adj_margin', 'double'),
  col('games_played', 'int', false), col('games_box_score', 'int', false),
  col('raw_oe', 'double'), col('raw_de', 'double'), col('sos_oe', 'double'), col('sos_de', 'double'),
  col('srs', 'double'), col('hca', 'double'), col('league_eff', 'double'), col('league_tempo', 'double'),
  SEASON_KEY, DATE_KEY,
];

const PRIOR_COLUMNS: ColumnSpec[] = [
  col('teamId', 'bigint', false), col('team', 'string'), col('conference', 'string'), col('previous_season', 'int'), col('prior_source', 'string'),
  col('previous_adj_oe', 'double'), col('previous_adj_de', 'double'), col('previous_adj_tempo', 'double'),
  col('prior_adj_oe', 'double'), col('prior_adj_de', 'double'), col('prior_adj_margin', 'double'), col('prior_adj_tempo', 'double'),
  col('league_eff', 'double'), col('league_tempo', 'double'),
  SEASON_KEY,
];

const RATING_DATE_COLUMNS: ColumnSpec[] = [col('rating_date', 'string', false), col('games', 'int', false), col('final_games_before', 'int', false), SEASON_KEY];

/** Division I teams of each season: the season's teams in a Division I conference, as the API lists them that season. */
export const DIVISION_ONE_SQL = `SELECT season::INTEGER AS season, id::BIGINT AS teamId, school AS team, conference FROM teams WHERE conferenceId IS NOT NULL ORDER BY season, id`;

/**
 * Both sides of every final Division I game of the inputs: from the plays (`flat`) where the game has them, else from
 * the box score (`box`, possessions by formula). `usable` is false for a side the solver cannot use (no opponent row,
 * no possessions, no box score): the game is dropped and counted. Ids as DOUBLE: they are read into JS numbers
 * (every id fits in 53 bits).
 */
export const GAMES_SQL = `
  SELECT * FROM (
    SELECT f.season::INTEGER AS season, f.gameId::DOUBLE AS gameId, f.teamId::DOUBLE AS teamId, f.opponentId::DOUBLE AS opponentId,
      f.points, f.opp_points, f.possessions::DOUBLE AS possessions, f.opp_possessions::DOUBLE AS opp_possessions, f.game_minutes,
      CASE WHEN f.is_neutral THEN 0 WHEN f.is_home THEN 1 WHEN NOT f.is_home THEN -1 ELSE 0 END AS venue, f.date, false AS box_score,
      f.ftm::DOUBLE AS ftm, f.fta::DOUBLE AS fta, f.opp_ftm::DOUBLE AS opp_ftm, f.opp_fta::DOUBLE AS opp_fta,
      coalesce(f.opp_points IS NOT NULL AND f.possessions > 0 AND f.opp_possessions > 0, false) AS usable
    FROM flat f SEMI JOIN d1 a ON a.teamId = f.teamId AND a.season = f.season SEMI JOIN d1 b ON b.teamId = f.opponentId AND b.season = f.season
    UNION ALL
    SELECT f.season::INTEGER, f.gameId::DOUBLE, f.teamId::DOUBLE, f.opponentId::DOUBLE, f.points, f.opp_points, f.possessions, f.opp_possessions, f.game_minutes,
      CASE WHEN f.is_neutral THEN 0 WHEN f.is_home THEN 1 WHEN NOT f.is_home THEN -1 ELSE 0 END, f.date, true,
      NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE,
      coalesce(f.has_box_score AND f.points IS NOT NULL AND f.opp_points IS NOT NULL AND f.possessions > 0 AND f.opp_possessions > 0, false)
    FROM box f SEMI JOIN d1 a ON a.teamId = f.teamId AND a.season = f.season SEMI JOIN d1 b ON b.teamId = f.opponentId AND b.season = f.season
  ) ORDER BY season, date, gameId, teamId`;

export interface StoredGame extends GameRow { season: number; gameId: number; usable: boolean }

/** A game is used only when both its sides are usable: one broken side drops the game, counted. */
export function usableGames(rows: readonly StoredGame[]): { used: StoredGame[]; dropped: { date: string; gameId: number }[] } {
  const bad = new Set(rows.filter((r) => !r.usable).map((r) => r.gameId));
  const sides = new Map<number, number>();
  for (const r of rows) sides.set(r.gameId, (sides.get(r.gameId) ?? 0) + 1);
  const dropped = new Map<number, string>();
  const used: StoredGame[] = [];
  for (const r of rows) {
    if (bad.has(r.gameId) || sides.get(r.gameId) !== 2) dropped.set(r.gameId, r.date);
    else used.push(r);
  }
  return { used, dropped: [...dropped].map(([gameId, date]) => ({ gameId, date })) };
}

/** The keys check of an asset that writes its own table: its writer reports null and duplicate keys. */
export function keysCheck(description: string): AssetCheck {
  return {
    name: KEYS_CHECK, description,
    run: ({ output }) => {
      const p = output.metadata?.keyProblems as { nullKeys: number; duplicateKeys: number } | undefined;
      const passed = !p || (p.nullKeys === 0 && p.duplicateKeys === 0);
      return { passed, ...(!passed && { detail: `${p!.nullKeys} row(s) without a key, ${p!.duplicateKeys} duplicate key(s)` }) };
    },
  };
}

export function adjustedEfficiencyAssets(resources: ProjectResources, upstream: (key: string) => AssetSpec | undefined): AssetDefinition[] {
  const defined: AssetDefinition[] = [];
  const lookup = (key: string) => defined.find((d) => d.key === key) ?? upstream(key);
  for (const key of ['silver/fct_games', 'silver/dim_teams', 'silver/fct_game_teams_without_plays']) {
    if (!upstream(key)) throw new Error(`gold/team_adjusted_efficiencies: ${key} must be declared first`);
  }
  defined.push(ratingDatesAsset(resources, lookup));
  for (const [suffix, flatKey] of [['', 'silver/fct_pbp_game_teams_flat'], ['_no_garbage', 'silver/fct_pbp_game_teams_flat_garbage_removed']] as const) {
    if (!upstream(flatKey)) throw new Error(`gold/team_adjusted_efficiencies${suffix}: ${flatKey} must be declared first`);
    defined.push(priorAsset(resources, suffix, flatKey, lookup));
    defined.push(ratingsAsset(resources, suffix, flatKey, lookup));
  }
  return defined;
}

/** gold/rating_dates: the calendar of the ratings, the season's game days and the day after the last one. */
function ratingDatesAsset(resources: ProjectResources, lookup: (key: string) => AssetSpec | undefined): AssetDefinition {
  const spec: AssetSpec = {
    key: 'gold/rating_dates',
    description: 'The rating dates of each season: its game days, and the day after its last game day (so the final rating includes the final games); the calendar of the adjusted efficiencies.',
    deps: ['silver/fct_games'],
    partitions: { kind: 'season' },
    codeVersion: `dates.${createHash('sha256').update(JSON.stringify([RATING_DATE_COLUMNS, ratingDates.toString(), resources.window])).digest('hex').slice(0, 10)}`,
    schema: { columns: RATING_DATE_COLUMNS, primaryKey: ['rating_date', 'season'] },
    checks: [
      keysCheck('One row per rating date.'),
      {
        name: 'final_rating_date', blocking: false, description: 'The last rating date is the day after the last game day, when the season window holds it.',
        run: ({ output }) => {
          const m = output.metadata as { lastGameDay?: string; lastRatingDate?: string } | undefined;
          return { passed: !m?.lastGameDay || m.lastRatingDate! > m.lastGameDay, detail: `last game day ${m?.lastGameDay ?? 'none'}, last rating date ${m?.lastRatingDate ?? 'none'}` };
        },
      },
    ],
  };
  const layout = tableLayout(spec);
  const gamesLayout = tableLayout(lookup('silver/fct_games')!);
  return defineAsset(spec, async (ctx) => {
    const writer = await TableWriter.open(resources.storage);
    const files = new InputFiles(resources.storage);
    try {
      const outputs: PartitionOutput[] = [];
      for (const partition of ctx.partitions) {
        const season = seasonOfKey(partition)!;
        const days = await writer.read(`SELECT date, count(*)::INTEGER AS games, (count(*) FILTER (WHERE status = 'final'))::INTEGER AS final FROM games GROUP BY date ORDER BY date`, {
          games: { files: await files.of('silver/fct_games', ctx.inputPartitions('silver/fct_games', partition)), layout: gamesLayout },
        });
        const { last } = seasonBounds(season, resources.window);
        const dates = ratingDates(days.map((d) => String(d.date)), (date) => isoDateToDay(date)! <= last);
        const perDay = new Map(days.map((d) => [String(d.date), d]));
        let before = 0;
        const rows = dates.map((date) => {
          const d = perDay.get(date);
          const row = { rating_date: date, games: Number(d?.games ?? 0), final_games_before: before, __partition: partition };
          before += Number(d?.final ?? 0);
          return row;
        });
        await writer.loadRows('dates', RATING_DATE_COLUMNS.filter((c) => c.name !== 'season'), rows);
        const written = await writer.writeCached('dates', [{ partition, prefix: partitionPrefix(spec.key, partition), date: '' }], ['rating_date'], layout);
        const lastGameDay = days.at(-1)?.date;
        outputs.push({ ...tableOutput(partition, written.get(partition)!, { lastGameDay: lastGameDay ?? null, lastRatingDate: dates.at(-1) ?? null }), calendar: dates });
      }
      return outputs;
    } finally {
      await writer.close();
    }
  });
}

/** gold/team_preseason_prior[_no_garbage]: last season's final rating, regressed toward the league average. */
function priorAsset(resources: ProjectResources, suffix: string, flatKey: string, lookup: (key: string) => AssetSpec | undefined): AssetDefinition {
  const params = resources.gold ?? DEFAULT_GOLD;
  const key = `gold/team_preseason_prior${suffix}`;
  const spec: AssetSpec = {
    key,
    description: `Each Division I team's preseason prior${suffix ? ' (garbage time left out)' : ''}: last season's final adjusted rating (itself solved with its own prior, back to ${PRIOR_CHAIN_SEASONS} seasons before, or the first season in the lakehouse), regressed toward the league average${params.priorConferenceRegression === undefined ? ` by ${params.priorRegression}` : `: its conference's mean distance from it by ${params.priorConferenceRegression}, its own distance from that mean by ${params.priorRegression}`}; a team without one starts at its conference's mean. prior_source 'none' (no prior) for a season whose previous season is not in the lakehouse.`,
    // The games of the seasons before (no partition mapping says "earlier seasons", so every season's): a season's
    // prior follows from the PRIOR_CHAIN_SEASONS before it. A new game day of the season in progress rebuilds its
    // prior, which reads only those seasons and comes out the same bytes, so the ratings do not go stale.
    deps: [{ key: flatKey, mapping: 'all' }, { key: 'silver/fct_game_teams_without_plays', mapping: 'all' }, { key: 'silver/dim_teams', mapping: 'all' }],
    partitions: { kind: 'season' },
    batch: { maxPartitions: 100 },
    codeVersion: `prior.${createHash('sha256').update(JSON.stringify([params, PRIOR_COLUMNS, GAMES_SQL, DIVISION_ONE_SQL, SOLVER_SOURCE, SEASON_WALK_SOURCE])).digest('hex').slice(0, 10)}`,
    schema: { columns: PRIOR_COLUMNS, primaryKey: ['teamId', 'season'] },
    preview: { orderBy: 'prior_adj_margin desc' },
    checks: [
      keysCheck('One row per team.'),
      {
        name: 'prior_from_earlier_seasons', description: 'A season\'s prior comes from the season before it, never from its own games.',
        run: ({ output }) => {
          const m = output.metadata as { previousSeasons?: number[] } | undefined;
          const season = Number(output.partition);
          const from = (m?.previousSeasons ?? []).filter((s) => s !== null && Number.isFinite(s));
          return { passed: from.every((s) => s === season - 1), detail: `from season(s) ${from.join(', ') || 'none (no previous season in the lakehouse)'}` };
        },
      },
    ],
  };
  const layout = tableLayout(spec);
  const layouts = { flat: tableLayout(lookup(flatKey)!), box: tableLayout(lookup('silver/fct_game_teams_without_plays')!), teams: tableLayout(lookup('silver/dim_teams')!) };
  return defineAsset(spec, async (ctx) => {
    const writer = await TableWriter.open(resources.storage);
    const files = new InputFiles(resources.storage);
    try {
      const wanted = new Set(ctx.partitions.map((p) => seasonOfKey(p)!));
      const upTo = Math.max(...wanted);
      // Only the seasons the priors' chains read (PRIOR_CHAIN_SEASONS before each season asked for): a night's cost
      // does not grow with the seasons the lakehouse keeps.
      const from = Math.min(...wanted) - PRIOR_CHAIN_SEASONS;
      const before = (dep: string) => ctx.inputPartitions(dep).filter((p) => seasonOfKey(p)! < upTo && seasonOfKey(p)! >= from);
      const inputs = {
        flat: { files: await files.of(flatKey, before(flatKey)), layout: layouts.flat },
        box: { files: await files.of('silver/fct_game_teams_without_plays', before('silver/fct_game_teams_without_plays')), layout: layouts.box },
        teams: { files: await files.of('silver/dim_teams', ctx.inputPartitions('silver/dim_teams').filter((p) => seasonOfKey(p)! <= upTo && seasonOfKey(p)! >= from)), layout: layouts.teams },
      };
      await writer.read(`CREATE OR REPLACE TEMP TABLE d1 AS ${DIVISION_ONE_SQL}`, inputs);
      const teams = await writer.read('SELECT season, teamId::DOUBLE AS teamId, team, conference FROM d1', {});
      const { used } = usableGames(await writer.read(GAMES_SQL, inputs) as unknown as StoredGame[]);
      const seasons = [...new Set(teams.map((t) => Number(t.season)))].map((season) => ({
        season,
        teams: teams.filter((t) => Number(t.season) === season).map((t) => ({ teamId: Number(t.teamId), team: t.team as string | null, conference: t.conference as string | null })),
        games: used.filter((g) => Number(g.season) === season),
      }));
      const priors = priorsOf(seasons, wanted, params);
      const rows = ctx.partitions.flatMap((p) => (priors.get(seasonOfKey(p)!) ?? []).map((r) => ({ ...r, __partition: p })));
      await writer.loadRows('prior', PRIOR_COLUMNS.filter((c) => c.name !== 'season'), rows);
      const written = await writer.writeCached('prior', ctx.partitions.map((p) => ({ partition: p, prefix: partitionPrefix(key, p), date: '' })), ['teamId'], layout);
      return ctx.partitions.map((p) => {
        const rows = priors.get(seasonOfKey(p)!) ?? [];
        const from = rows.filter((r) => r.previous_season !== null).map((r) => Number(r.previous_season));
        return tableOutput(p, written.get(p)!, { teams: rows.length, previousSeasons: [...new Set(from)] });
      });
    } finally {
      await writer.close();
    }
  });
}

function ratingsAsset(resources: ProjectResources, suffix: string, flatKey: string, lookup: (key: string) => AssetSpec | undefined): AssetDefinition {
  const params = resources.gold ?? DEFAULT_GOLD;
  const key = `gold/team_adjusted_efficiencies${suffix}`;
  const priorKey = `gold/team_preseason_prior${suffix}`;
  const boxKey = 'silver/fct_game_teams_without_plays';
  const hca = params.hca === 'auto' ? `home court estimated from the earlier games (shrunk toward ${params.hcaPrior} points a game)` : `home court ${params.hca} per 100 possessions`;
  const spec: AssetSpec = {
    key,
    description: `Adjusted offensive and defensive efficiency of every Division I team as of the morning of each rating date (every final Division I game before it, from the plays or else the box score${suffix ? ', garbage time left out' : ''}); ${hca}, SOS exponent ${params.sosExponent}, preseason prior ${params.priorGames ? `worth ${params.priorGames} games` : 'off'}.`,
    deps: [
      { key: flatKey, mapping: 'earlier_dates' }, { key: boxKey, mapping: 'earlier_dates' },
      { key: 'silver/dim_teams', mapping: 'season_to_date' }, { key: priorKey, mapping: 'season_to_date' },
      // The calendar: read by the planner, not by the compute.
      { key: 'gold/rating_dates', mapping: 'season_to_date', affectsStaleness: false },
    ],
    partitions: { kind: 'season_date', calendar: 'gold/rating_dates' },
    batch: { maxPartitions: 400 },
    codeVersion: `solver.${createHash('sha256').update(JSON.stringify([params, EFFICIENCY_COLUMNS, GAMES_SQL, DIVISION_ONE_SQL, SOLVER_SOURCE, SEASON_WALK_SOURCE])).digest('hex').slice(0, 10)}`,
    schema: { columns: EFFICIENCY_COLUMNS, primaryKey: ['teamId', 'season', 'date'] },
    preview: { orderBy: 'adj_margin desc' },
    checks: [
      keysCheck('One row per team and rating date.'),
      {
        name: 'solver_converged', blocking: false, description: `The solver met its tolerance (${params.tolerance}) within ${params.maxIterations} iterations.`,
        run: ({ output }) => {
          const m = output.metadata as { iterations?: number; finalChange?: number } | undefined;
          const passed = (m?.finalChange ?? 0) < params.tolerance;
          return { passed, detail: `${m?.iterations ?? 0} iteration(s), final change ${(m?.finalChange ?? 0).toFixed(6)}` };
        },
      },
      {
        name: 'every_final_game_counted', blocking: false, description: 'Every final Division I game before the rating date is in the ratings, from its plays or its box score.',
        run: ({ output }) => {
          const m = output.metadata as { droppedGames?: number } | undefined;
          return { passed: !m?.droppedGames, detail: `${m?.droppedGames ?? 0} game(s) with neither plays nor a usable box score` };
        },
      },
    ],
  };
  const layout = tableLayout(spec);
  const layouts = { flat: tableLayout(lookup(flatKey)!), box: tableLayout(lookup(boxKey)!), teams: tableLayout(lookup('silver/dim_teams')!), prior: tableLayout(lookup(priorKey)!) };
  return defineAsset(spec, async (ctx) => {
    const writer = await TableWriter.open(resources.storage);
    const files = new InputFiles(resources.storage);
    try {
      const outputs: PartitionOutput[] = [];
      const bySeason = new Map<number, string[]>();
      for (const p of ctx.partitions) bySeason.set(seasonOfKey(p)!, [...(bySeason.get(seasonOfKey(p)!) ?? []), p]);
      for (const [season, partitions] of bySeason) {
        const last = partitions.at(-1)!;
        const earlier = ctx.inputPartitions(flatKey, last);
        const inputs = {
          flat: { files: await files.of(flatKey, earlier), layout: layouts.flat },
          box: { files: await files.of(boxKey, ctx.inputPartitions(boxKey, last)), layout: layouts.box },
          teams: { files: await files.of('silver/dim_teams', ctx.inputPartitions('silver/dim_teams', last)), layout: layouts.teams },
          prior: { files: await files.of(priorKey, ctx.inputPartitions(priorKey, last)), layout: layouts.prior },
        };
        await writer.read(`CREATE OR REPLACE TEMP TABLE d1 AS ${DIVISION_ONE_SQL}`, inputs);
        const d1 = (await writer.read('SELECT teamId::DOUBLE AS teamId, team, conference FROM d1', {})) as unknown as TeamRow[];
        const { used, dropped } = usableGames(await writer.read(GAMES_SQL, inputs) as unknown as StoredGame[]);
        const priorRows = await writer.read(`SELECT teamId::DOUBLE AS teamId, prior_adj_oe, prior_adj_de, prior_adj_tempo, league_eff, league_tempo FROM prior WHERE season = ${season}`, inputs);
        const prior = seasonPrior(d1, priorRows as unknown as PriorRow[]);
        // The walk: every game day of the season before the step's last rating date, and the step's dates, so the warm
        // starts are the same whichever dates a step holds.
        const walk = [...new Set([...earlier.map((p) => dateOfKey(p)!), ...partitions.map((p) => dateOfKey(p)!)])].sort();
        const wanted = new Set(partitions.map((p) => dateOfKey(p)!));
        const solved = solveSeason(season, walk, wanted, d1, used, params, prior);
        await writer.loadRows('solved', EFFICIENCY_COLUMNS.filter((c) => c.name !== 'season' && c.name !== 'date'), solved.rows);
        // Every rating date of the step written with one COPY, each committed on its own.
        const written = await writer.writeCached('solved', partitions.map((p) => ({ partition: p, prefix: partitionPrefix(spec.key, p), date: dateOfKey(p)! })), ['teamId'], layout);
        for (const partition of partitions) {
          if (ctx.signal.aborted) break;
          const date = dateOfKey(partition)!;
          const stats = solved.stats.get(date)!;
          outputs.push(tableOutput(partition, written.get(partition)!, {
            iterations: stats.iterations, finalChange: Number(stats.finalChange.toFixed(6)), games: stats.games, boxScoreGames: stats.boxScoreGames,
            droppedGames: dropped.filter((d) => d.date < date).length, league: Number(stats.league.toFixed(3)), hca: Number(stats.hca.toFixed(3)),
            priorTeams: prior ? prior.teams.filter(Boolean).length : 0,
          }));
        }
      }
      return outputs;
    } finally {
      await writer.close();
    }
  });
}

