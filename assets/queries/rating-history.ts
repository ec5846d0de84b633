/**
 * Each team's adjusted margin by rating date over a season, from a table shaped like
 * `gold/team_adjusted_efficiencies` (season×date, one partition per rating date, columns `teamId`, `team`,
 * `conference`, `adj_margin`): what the page's chart draws. By default the ten best teams on the latest rating date;
 * any teams asked for by id instead. Every team of the latest date comes back too, so the page can search them by
 * name. Built from validated parts only and run through `TableQuery`, like `previewRows`. A read of the project's
 * (its gold tables' shape), handed to the page's server through `extensions.ts`.
 */
import { UsageError } from '../../src/core/errors.ts';
import { parseSeason } from '../../src/core/partitions.ts';
import { sqlString } from '../../src/lake/duckdb.ts';
import { quoteIdent } from '../../src/lake/schema/field-types.ts';
import { previewTable, type PreviewLake } from '../../src/lake/query/preview.ts';
import { storedPartitions } from '../../src/lake/query/stored-partitions.ts';

export const DEFAULT_CHART_TEAMS = 10;
export const MAX_CHART_TEAMS = 30;
const NEEDED = ['teamId', 'team', 'conference', 'adj_margin'];

export interface RatingHistoryRequest {
  readonly asset: string;
  readonly season?: string | undefined;
  /** Team ids, comma-separated (`"12,40"`); default: the best `DEFAULT_CHART_TEAMS` on the latest rating date. */
  readonly teams?: string | undefined;
}

export interface ChartTeam {
  readonly teamId: string;
  readonly team: string;
  readonly conference: string | null;
  /** `adj_margin` on the latest rating date, and the team's place by it (1 = best). */
  readonly latest: number | null;
  readonly place: number;
}

export type RatingHistory =
  | {
    readonly kind: 'series';
    readonly asset: string;
    readonly season: number;
    readonly metric: 'adj_margin';
    /** Rating dates of the season, ascending: the x axis. */
    readonly dates: readonly string[];
    /** Every team of the latest rating date, best first. */
    readonly teams: readonly ChartTeam[];
    /** One line per chosen team, its values aligned with `dates` (null where it has no rating that day). */
    readonly series: readonly { readonly teamId: string; readonly team: string; readonly values: readonly (number | null)[] }[];
  }
  | { readonly kind: 'not_materialized'; readonly asset: string; readonly season: number | null; readonly message: string };

function parseTeams(text: string | undefined): string[] | undefined {
  if (text === undefined || text === '') return undefined;
  if (!new RegExp(`^\\d{1,12}(,\\d{1,12}){0,${MAX_CHART_TEAMS - 1}}$`).test(text)) {
    throw new UsageError(`teams "${text.slice(0, 80)}" must be up to ${MAX_CHART_TEAMS} team ids separated by commas, e.g. 12,40.`);
  }
  return [...new Set(text.split(','))];
}

/** The adjusted-margin history of a season (by default the latest stored one). */
export async function ratingHistory(lake: PreviewLake, request: RatingHistoryRequest): Promise<RatingHistory> {
  const { def, table } = previewTable(lake.graph, request.asset);
  const columns = new Set(table.columns.map((c) => c.name));
  if (def.partitions.kind !== 'season_date' || NEEDED.some((c) => !columns.has(c))) {
    throw new UsageError(`${def.key} has no ${NEEDED.join(', ')} by rating date to chart; the chart reads tables like gold/team_adjusted_efficiencies.`);
  }
  const teams = parseTeams(request.teams);
  const stored = await storedPartitions(lake.storage, def.key);
  const season = request.season ? parseSeason(request.season, lake.window) : stored.seasons.at(-1);
  const dates = season === undefined ? [] : (stored.dates.get(season) ?? []);
  if (season === undefined || !dates.length) {
    return {
      kind: 'not_materialized', asset: def.key, season: season ?? null,
      message: `${def.key} has no rating dates ${season === undefined ? 'yet' : `for season ${season}`}: run \`cbbd materialize ${def.key} --season ${season ?? lake.window.lastSeason}\` first.`,
    };
  }

  const q = quoteIdent;
  const chosen = teams
    ? `SELECT team_id FROM (VALUES ${teams.map((t) => `(${sqlString(t)})`).join(', ')}) AS t(team_id)`
    : `SELECT team_id FROM latest WHERE place <= ${DEFAULT_CHART_TEAMS}`;
  const result = await lake.query.run(table, (relation) => [
    `WITH r AS (SELECT CAST(${q('teamId')} AS VARCHAR) AS team_id, ${q('team')} AS team, ${q('conference')} AS conference, ${q('date')} AS rating_date, ${q('adj_margin')} AS adj_margin FROM ${relation} WHERE ${q('season')} = ${season}),`,
    'latest AS (SELECT team_id, team, conference, adj_margin, row_number() OVER (ORDER BY adj_margin DESC NULLS LAST, team_id) AS place FROM r WHERE rating_date = (SELECT max(rating_date) FROM r)),',
    `chosen AS (${chosen})`,
    "SELECT 'team' AS kind, team_id, team, conference, CAST(NULL AS VARCHAR) AS rating_date, adj_margin, place FROM latest",
    "UNION ALL SELECT 'point' AS kind, team_id, team, CAST(NULL AS VARCHAR) AS conference, rating_date, adj_margin, CAST(NULL AS BIGINT) AS place FROM r WHERE team_id IN (SELECT team_id FROM chosen)",
  ].join(' '));

  const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v));
  const ranked: ChartTeam[] = result.rows.filter((r) => r.kind === 'team').map((r) => ({
    teamId: String(r.team_id), team: String(r.team), conference: r.conference === null ? null : String(r.conference), latest: num(r.adj_margin), place: Number(r.place),
  })).sort((a, b) => a.place - b.place);
  const index = new Map(dates.map((d, i) => [d, i]));
  const lines = new Map<string, { teamId: string; team: string; values: (number | null)[] }>();
  for (const r of result.rows) {
    if (r.kind !== 'point') continue;
    const teamId = String(r.team_id);
    let line = lines.get(teamId);
    if (!line) lines.set(teamId, (line = { teamId, team: String(r.team), values: dates.map(() => null) }));
    const i = index.get(String(r.rating_date));
    if (i !== undefined) line.values[i] = num(r.adj_margin);
  }
  // Lines in the order of the latest ranking, so the legend reads best first.
  const place = new Map(ranked.map((t) => [t.teamId, t.place]));
  const series = [...lines.values()].sort((a, b) => (place.get(a.teamId) ?? Infinity) - (place.get(b.teamId) ?? Infinity) || a.team.localeCompare(b.team));
  return { kind: 'series', asset: def.key, season, metric: 'adj_margin', dates, teams: ranked, series };
}
