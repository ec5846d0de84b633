/**
 * The asset graph: every declared asset, validated, with its dependency edges and a deterministic topological order.
 * Built once when the definitions load; all definition errors are reported together, each naming its asset.
 */
import { DirectedGraph } from 'graphology';
import { hasCycle, topologicalGenerations } from 'graphology-dag';
import { closest, distance } from 'fastest-levenshtein';
import { LAYERS, type AssetDefinition } from './asset.ts';
import { columnTypeProblem } from './column-types.ts';
import { DefinitionError } from './errors.ts';
import { defaultMapping, mappingProblem, PARTITION_MAPPINGS, type PartitionMapping } from './mappings.ts';

export interface DependencyEdge {
  readonly key: string;
  readonly mapping: PartitionMapping;
  /** False when the dependency only orders the work and its changes do not make this asset stale. */
  readonly affectsStaleness: boolean;
}

const KEY = new RegExp(`^(${LAYERS.join('|')})/[a-z0-9_]+$`);

export class AssetGraph {
  /** Asset keys in a deterministic topological order (upstream first, ties broken by key). */
  readonly order: readonly string[];
  private readonly assets: ReadonlyMap<string, AssetDefinition>;
  private readonly upstreamEdges: ReadonlyMap<string, readonly DependencyEdge[]>;
  private readonly downstreamKeys: ReadonlyMap<string, readonly string[]>;
  private readonly stalenessEdges = new Map<string, readonly DependencyEdge[]>();

  constructor(
    assets: ReadonlyMap<string, AssetDefinition>,
    upstream: ReadonlyMap<string, readonly DependencyEdge[]>,
    order: readonly string[],
  ) {
    this.assets = assets;
    this.upstreamEdges = upstream;
    this.order = order;
    const downstream = new Map<string, string[]>(order.map((k) => [k, []]));
    for (const key of order) for (const dep of upstream.get(key) ?? []) downstream.get(dep.key)?.push(key);
    this.downstreamKeys = downstream;
  }

  has(key: string): boolean {
    return this.assets.has(key);
  }

  get(key: string): AssetDefinition {
    const asset = this.assets.get(key);
    if (!asset) throw new DefinitionError(unknownAssetMessage(key, this.order));
    return asset;
  }

  upstream(key: string): readonly DependencyEdge[] {
    return this.upstreamEdges.get(key) ?? [];
  }

  /** The upstream edges whose changes make this asset stale (the ones its input fingerprints cover). */
  stalenessInputs(key: string): readonly DependencyEdge[] {
    let edges = this.stalenessEdges.get(key);
    if (!edges) this.stalenessEdges.set(key, (edges = this.upstream(key).filter((e) => e.affectsStaleness)));
    return edges;
  }

  downstream(key: string): readonly string[] {
    return this.downstreamKeys.get(key) ?? [];
  }

  /** A key and everything upstream (or downstream) of it. */
  closure(key: string, direction: 'upstream' | 'downstream'): Set<string> {
    const seen = new Set<string>([key]);
    const stack = [key];
    while (stack.length) {
      const next = stack.pop()!;
      const neighbours = direction === 'upstream' ? this.upstream(next).map((e) => e.key) : this.downstream(next);
      for (const n of neighbours) {
        if (seen.has(n)) continue;
        seen.add(n);
        stack.push(n);
      }
    }
    return seen;
  }
}

/** "Unknown asset X. Did you mean Y?" when a close key exists. */
export function unknownAssetMessage(key: string, known: readonly string[], context = ''): string {
  // A key typed without its layer ("team_power_rankings") names the asset of that name in whichever layer has it.
  const named = key.includes('/') ? [] : known.filter((k) => k.slice(k.indexOf('/') + 1) === key);
  const suggestion = named.length ? named.join('" or "') : known.length ? closest(key, [...known]) : undefined;
  const close = named.length > 0 || (suggestion !== undefined && distance(key, suggestion) <= Math.max(3, Math.floor(key.length / 4)));
  // A key typed by a user (not a declaration's dependency) gets a way to see what exists.
  const hint = context.startsWith(',') ? '' : ' `cbbd status` lists every asset.';
  return `Unknown asset "${key}"${context}.${close ? ` Did you mean "${suggestion}"?` : hint}`;
}

/** Validate the definitions and build the graph. Throws one DefinitionError listing every problem found. */
export function buildAssetGraph(definitions: readonly AssetDefinition[]): AssetGraph {
  const problems: string[] = [];
  const assets = new Map<string, AssetDefinition>();
  for (const def of definitions) {
    if (!KEY.test(def.key)) {
      problems.push(`Asset key "${def.key}" is invalid: use layer/name with a layer of ${LAYERS.join(', ')} and a name of [a-z0-9_].`);
      continue;
    }
    if (assets.has(def.key)) problems.push(`Asset "${def.key}" is declared twice.`);
    assets.set(def.key, def);
  }
  const keys = [...assets.keys()].sort();
  const upstream = new Map<string, DependencyEdge[]>();
  for (const key of keys) {
    const def = assets.get(key)!;
    problems.push(...specProblems(def));
    const edges: DependencyEdge[] = [];
    for (const raw of def.deps ?? []) {
      const dep = typeof raw === 'string' ? { key: raw } : raw;
      const up = assets.get(dep.key);
      if (!up) {
        problems.push(unknownAssetMessage(dep.key, keys, `, a dependency of "${key}"`));
        continue;
      }
      if (dep.mapping !== undefined && !PARTITION_MAPPINGS.includes(dep.mapping)) {
        problems.push(`Asset "${key}": dependency "${dep.key}" has unknown mapping "${dep.mapping}" (use ${PARTITION_MAPPINGS.join(', ')}).`);
        continue;
      }
      const mapping = dep.mapping ?? defaultMapping(def.partitions, up.partitions);
      const problem = mappingProblem(mapping, def.partitions, up.partitions);
      if (problem) problems.push(`Asset "${key}": dependency "${dep.key}": ${problem}.`);
      if (edges.some((e) => e.key === dep.key)) problems.push(`Asset "${key}" lists dependency "${dep.key}" twice.`);
      edges.push({ key: dep.key, mapping, affectsStaleness: dep.affectsStaleness ?? true });
    }
    upstream.set(key, edges);
    const calendar = def.partitions.kind === 'season_date' ? def.partitions.calendar : undefined;
    if (calendar !== undefined) {
      const source = assets.get(calendar);
      if (!source) problems.push(unknownAssetMessage(calendar, keys, `, the calendar of "${key}"`));
      else if (source.partitions.kind !== 'season') problems.push(`Asset "${key}": calendar "${calendar}" must be partitioned by season.`);
    }
  }
  if (problems.length) throw new DefinitionError(formatProblems(problems));

  const graph = new DirectedGraph();
  for (const key of keys) graph.addNode(key);
  for (const key of keys) for (const edge of upstream.get(key)!) graph.mergeEdge(edge.key, key);
  if (hasCycle(graph)) throw new DefinitionError(`Asset dependencies form a cycle: ${findCycle(graph, keys).join(' -> ')}. Remove one of these dependencies.`);
  const order = topologicalGenerations(graph).flatMap((generation) => generation.sort());
  return new AssetGraph(assets, upstream, order);
}

function formatProblems(problems: string[]): string {
  if (problems.length === 1) return problems[0]!;
  return `${problems.length} problems in the asset definitions:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

/** Problems with one asset's own spec (schema, checks, batching). */
function specProblems(def: AssetDefinition): string[] {
  const out: string[] = [];
  const where = `Asset "${def.key}"`;
  if (!def.codeVersion) out.push(`${where} has an empty codeVersion: set a string and bump it when the compute logic changes.`);
  if (def.batch && !(Number.isInteger(def.batch.maxPartitions) && def.batch.maxPartitions >= 1)) {
    out.push(`${where}: batch.maxPartitions must be a whole number >= 1.`);
  }
  if (def.schema) {
    const names = new Map<string, string>();
    for (const column of def.schema.columns) {
      const lower = column.name.toLowerCase();
      const clash = names.get(lower);
      if (clash !== undefined) {
        out.push(`${where}: columns "${clash}" and "${column.name}" differ only by case; Glue and Athena ignore case, rename one.`);
      }
      names.set(lower, column.name);
      const typeProblem = columnTypeProblem(column.type);
      if (typeProblem) out.push(`${where}: column "${column.name}" has type "${column.type}": ${typeProblem}.`);
    }
    // Raw and bronze hold what the API sent, one row per record, duplicates included; keys start in silver.
    const keyed = !def.key.startsWith('raw/') && !def.key.startsWith('bronze/');
    if (keyed && def.schema.primaryKey.length === 0) out.push(`${where}: schema.primaryKey is empty; declare the natural key columns.`);
    for (const column of def.schema.primaryKey) {
      if (!def.schema.columns.some((c) => c.name === column)) out.push(`${where}: primary key column "${column}" is not in the schema.`);
    }
  }
  const checkNames = new Set<string>();
  for (const check of def.checks ?? []) {
    if (checkNames.has(check.name)) out.push(`${where}: check "${check.name}" is declared twice.`);
    checkNames.add(check.name);
  }
  return out;
}

/** One cycle of a cyclic graph, as a closed path of keys, found by depth-first search in key order. */
function findCycle(graph: DirectedGraph, keys: readonly string[]): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.outNeighbors(node).sort()) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const key of keys) {
    if (state.has(key)) continue;
    const found = visit(key);
    if (found) return found;
  }
  return [];
}
