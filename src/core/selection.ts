/**
 * Selection syntax, as dbt and Dagster users expect it:
 *   `silver/fct_games`   one asset          `silver/*`, `*`   a glob over keys
 *   `+gold/x`            with all upstream  `bronze/games+`   with all downstream
 *   `a,b`                a union
 * and the partition filters `--season`, `--seasons`, `--date`, `--from/--to`.
 */
import { commandClock } from './clock.ts';
import { PlanError } from './errors.ts';
import { unknownAssetMessage, type AssetGraph } from './graph.ts';
import { parseSeason, parseSeasonDate, type PartitionFilter, type SeasonWindow } from './partitions.ts';

/**
 * Longest selection accepted: far beyond any typed one, short enough that matching it costs nothing. A selection that
 * lists every asset of the graph once (what `cbbd deadletter replay` may build) is always accepted.
 */
export const MAX_SELECTION_LENGTH = 1_000;

/** The selected asset keys, in the graph's topological order. */
export function selectAssets(graph: AssetGraph, selection: string): string[] {
  const limit = Math.max(MAX_SELECTION_LENGTH, graph.order.join(',').length);
  if (selection.length > limit) {
    throw new PlanError(`The selection is ${selection.length} characters long; at most ${limit} are accepted. Select by layer ("silver/*") or with "+key" instead of listing every asset.`);
  }
  const terms = selection.split(',').map((t) => t.trim());
  if (terms.some((t) => t === '')) {
    throw new PlanError(`Selection "${selection}" has an empty term: separate asset keys or globs with single commas.`);
  }
  const selected = new Set<string>();
  for (const term of terms) {
    const withUpstream = term.startsWith('+');
    const withDownstream = term.endsWith('+') && term.length > 1;
    const pattern = term.slice(withUpstream ? 1 : 0, withDownstream ? -1 : undefined);
    const matches = matchKeys(graph, pattern);
    for (const key of matches) {
      selected.add(key);
      if (withUpstream) for (const k of graph.closure(key, 'upstream')) selected.add(k);
      if (withDownstream) for (const k of graph.closure(key, 'downstream')) selected.add(k);
    }
  }
  return graph.order.filter((k) => selected.has(k));
}

function matchKeys(graph: AssetGraph, pattern: string): string[] {
  if (!pattern.includes('*')) {
    if (pattern === '') throw new PlanError('A selection term has "+" but no asset key: write +key (the asset and its upstream) or key+ (and its downstream), e.g. +gold/team_power_rankings.');
    if (!graph.has(pattern)) throw new PlanError(unknownAssetMessage(pattern, graph.order, ' in the selection'));
    return [pattern];
  }
  const matches = graph.order.filter((k) => globMatches(pattern, k));
  if (!matches.length) {
    throw new PlanError(`"${pattern}" matches no asset. Layers are ${[...new Set(graph.order.map((k) => k.split('/')[0]))].join(', ')}; try "silver/*" or "*".`);
  }
  return matches;
}

/**
 * Whether `text` matches `pattern`, where `*` stands for any run of characters. Greedy with one backtrack point
 * (the last `*`), so it takes at most pattern × text steps whatever the pattern: a regular expression with `.*` per
 * star backtracks exponentially on patterns such as `********Z`.
 */
export function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** The partition filters a command accepts, as typed. */
export interface PartitionFilterInput {
  season?: string;
  seasons?: string;
  date?: string;
  from?: string;
  to?: string;
}

/**
 * Validate and combine the partition filters. Each value is checked before it can reach a key or a path. `now` is
 * the clock `--season current` is read on (see `currentSeason`).
 */
export function parsePartitionFilter(input: PartitionFilterInput, window: SeasonWindow, now: Date = commandClock()): PartitionFilter {
  // --season with --date is allowed when the date is in that season (`--season 2024 --date 2024-01-13` reads well).
  const given = (['season', 'seasons', 'date'] as const).filter((k) => input[k] !== undefined && !(k === 'season' && input.date !== undefined));
  if (given.length > 1) throw new PlanError(`Use only one of --season, --seasons and --date (got ${given.map((g) => `--${g}`).join(', ')}).`);
  if (input.date !== undefined && (input.from !== undefined || input.to !== undefined)) {
    throw new PlanError('Use either --date or --from/--to, not both.');
  }
  let filter: { seasonFrom?: number; seasonTo?: number; dateFrom?: string; dateTo?: string } = {};
  if (input.season !== undefined) {
    const season = parseSeason(input.season, window, now);
    filter = { seasonFrom: season, seasonTo: season };
  }
  if (input.seasons !== undefined) {
    const m = /^(\d{4}|current)-(\d{4}|current)$/i.exec(input.seasons.trim());
    if (!m) throw new PlanError(`--seasons "${input.seasons}" is not a range: use FROM-TO, e.g. 2020-2024 or 2020-current.`);
    // Said before either end is checked against the configured seasons: "2024-2020" is a typo of order, not of range.
    if (Number(m[1]) > Number(m[2])) throw new PlanError(`--seasons ${input.seasons} runs backwards: put the earlier season first.`);
    const [from, to] = [parseSeason(m[1]!, window, now), parseSeason(m[2]!, window, now)];
    if (from > to) throw new PlanError(`--seasons ${input.seasons} runs backwards: put the earlier season first.`);
    filter = { seasonFrom: from, seasonTo: to };
  }
  if (input.date !== undefined) {
    const { season, date } = parseSeasonDate(input.date, window);
    if (filter.seasonFrom !== undefined && filter.seasonFrom !== season) {
      throw new PlanError(`--date ${date} is in season ${season}, not ${filter.seasonFrom}: leave out --season or pick a date inside it.`);
    }
    filter = { seasonFrom: season, seasonTo: season, dateFrom: date, dateTo: date };
  }
  if (input.from !== undefined || input.to !== undefined) {
    const from = input.from !== undefined ? parseSeasonDate(input.from, window) : undefined;
    const to = input.to !== undefined ? parseSeasonDate(input.to, window) : undefined;
    if (from && to && from.date > to.date) throw new PlanError(`--from ${from.date} is after --to ${to.date}.`);
    filter = {
      seasonFrom: Math.max(filter.seasonFrom ?? window.firstSeason, from?.season ?? window.firstSeason),
      seasonTo: Math.min(filter.seasonTo ?? window.lastSeason, to?.season ?? window.lastSeason),
      ...(from && { dateFrom: from.date }),
      ...(to && { dateTo: to.date }),
    };
  }
  return filter;
}

/** A short description of a filter for messages: "season 2024", "2024-01-01..2024-01-31". */
export function describeFilter(filter: PartitionFilter): string {
  const parts: string[] = [];
  if (filter.dateFrom !== undefined || filter.dateTo !== undefined) {
    parts.push(filter.dateFrom === filter.dateTo ? `date ${filter.dateFrom}` : `dates ${filter.dateFrom ?? '…'}..${filter.dateTo ?? '…'}`);
  } else if (filter.seasonFrom !== undefined) {
    parts.push(filter.seasonFrom === filter.seasonTo ? `season ${filter.seasonFrom}` : `seasons ${filter.seasonFrom}-${filter.seasonTo}`);
  }
  return parts.join(', ') || 'all partitions';
}
