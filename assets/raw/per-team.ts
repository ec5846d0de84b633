/**
 * Season sources fetched once per Division I team for a backfill (GET /substitutions/team, GET /lineups/team: about
 * 362 calls each a season, far fewer than one per game), then kept up to date per game: a refresh asks
 * /substitutions/game/{id} and /lineups/game/{id} only for the games that became final since, about 50 calls a night
 * instead of 362. The partition's manifest remembers which games its parts cover.
 */
import type { GameInfo, TeamInfo } from 'cbbd';
import { getLineupsByTeamSeason, getLineupStatsByGame, getSubstitutionsByGame, getSubstitutionsByTeam } from '../../src/cbbd/sdk.ts';
import type { SourceResponse } from '../../src/cbbd/client.ts';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import type { ProjectResources } from '../resources.ts';
import { INCREMENTAL } from '../../src/authoring/raw/incremental.ts';
import { rawPartitionOutput } from '../../src/authoring/raw/partition.ts';
import { recordTypeOf } from './record-types.ts';
import { dayIn, DIVISION_ONE_TEAMS, gamesFinishedBetween, refreshesIncrementally } from './call-estimates.ts';
import { seasonDates } from '../../src/core/partitions.ts';
import { rawInputRecords } from '../../src/authoring/inputs.ts';
import { readManifest, readStoredResponse, type StoredResponse } from '../../src/authoring/raw/store.ts';
import { partitionPrefix } from '../../src/lake/table-layout.ts';

/** How long a newly final game's substitutions and lineups may wait under a call budget. */
const DEFER_HOURS = 48;

type Client = Awaited<ReturnType<ProjectResources['source']['client']>>;

interface PerTeamEndpoint {
  readonly key: string;
  readonly description: string;
  readonly byTeam: (client: Client, season: number, team: string) => Promise<SourceResponse<unknown[]>>;
  readonly byGame: (client: Client, gameId: number) => Promise<SourceResponse<unknown[]>>;
}

function perTeamSeasonAsset(resources: ProjectResources, endpoint: PerTeamEndpoint): AssetDefinition {
  return defineAsset(
    {
      key: endpoint.key, description: endpoint.description, deps: ['raw/teams', 'raw/games'], partitions: { kind: 'season' }, codeVersion: '2',
      volatile: { maxAgeHours: 20 },
      // Under the nightly's call budget, newly final games may wait up to two nights (the oldest are asked first).
      deferrable: { withinHours: DEFER_HOURS, partial: true },
      // A backfill asks once per Division I team; a refresh once per game that became final since the last build.
      expectedCalls: (partitions, context) => Math.round(partitions.reduce((n, season) => {
        if (!refreshesIncrementally(context, season)) return n + (resources.divisionOneTeams ?? DIVISION_ONE_TEAMS);
        const dates = seasonDates(Number(season), resources.window);
        return n + gamesFinishedBetween(context.lastSuccessAt(season)!, context.now.getTime(), dayIn(dates[0]!, dates.at(-1)!));
      }, 0)),
    },
    async (ctx) => {
      const client = await resources.source.client();
      const outputs = [];
      // Under a call budget the allowance is shared by this step's seasons, oldest waiting games first.
      let allowance = ctx.callAllowance ?? Number.POSITIVE_INFINITY;
      for (const season of ctx.partitions) {
        const prefix = partitionPrefix(endpoint.key, season);
        const finals = (await rawInputRecords<GameInfo>(resources.storage, ctx, 'raw/games', season))
          .filter((g) => g.status === 'final')
          .sort((a, b) => a.startDate.localeCompare(b.startDate) || a.id - b.id);
        const previous = INCREMENTAL.has(ctx.reasons.get(season) ?? 'missing') ? await readManifest(resources.storage, prefix) : undefined;
        const covered = previous && Array.isArray(previous.coveredGames) ? new Set(previous.coveredGames as number[]) : undefined;
        let parts: StoredResponse<readonly unknown[]>[];
        let coveredGames: number[];
        let waiting: GameInfo[] = [];
        let calls: number;
        if (previous && covered) {
          // Keep every stored part as fetched; ask only for the games that became final since, within the allowance
          // (games waiting longer than the asset may defer them are asked whatever the allowance says).
          const todo = finals.filter((g) => !covered.has(g.id));
          const overdueBefore = new Date(resources.now().getTime() - DEFER_HOURS * 3_600_000).toISOString();
          const overdue = todo.filter((g) => g.startDate < overdueBefore);
          const rest = todo.filter((g) => g.startDate >= overdueBefore);
          const take = [...overdue, ...rest.slice(0, Math.max(0, Math.min(rest.length, allowance - overdue.length)))];
          waiting = todo.slice(take.length);
          allowance -= take.length;
          const kept = await Promise.all(previous.parts.map((part) => readStoredResponse<unknown>(resources.storage, prefix, part)));
          const fresh = await Promise.all(take.map((g) => endpoint.byGame(client, g.id)));
          parts = compactGameParts(endpoint.key, [...kept, ...fresh]);
          coveredGames = [...covered, ...take.map((g) => g.id)];
          calls = fresh.length;
        } else {
          // Division I teams are those with a conference.
          const teams = (await rawInputRecords<TeamInfo>(resources.storage, ctx, 'raw/teams', season)).filter((t) => t.conferenceId !== null);
          parts = await Promise.all(teams.map((t) => endpoint.byTeam(client, Number(season), t.school)));
          coveredGames = finals.map((g) => g.id);
          calls = parts.length;
        }
        outputs.push(await rawPartitionOutput(resources, recordTypeOf(endpoint.key), season, prefix, parts, { apiCalls: calls }, {
          coveredGames: coveredGames.sort((a, b) => a - b),
          // What `cbbd status` and the page show as waiting: nothing is lost, the next run asks for these first.
          waitingGames: waiting.length,
          ...(waiting.length && { oldestWaitingGame: waiting[0]!.startDate }),
        }));
      }
      return outputs;
    },
  );
}

/** Per-game answers kept in one part: a season's nights must not pile up thousands of small parts. */
const COMPACTED = 'compacted';

/**
 * The per-game answers of a partition (those fetched tonight and those kept from earlier nights) as one part whose
 * body is their records in one JSON list, each record's text exactly as the API sent it; the per-team answers of
 * the backfill stay as they are. The part's request names the endpoint and how many games it holds (the manifest's
 * `coveredGames` says which).
 */
function compactGameParts(asset: string, parts: readonly StoredResponse<readonly unknown[]>[]): StoredResponse<readonly unknown[]>[] {
  const perGame = parts.filter((p) => p.request.params[COMPACTED] !== undefined || /\/game\/\d+$/.test(p.request.path));
  if (perGame.length <= 1) return [...parts];
  const bodies = perGame.map((p) => p.raw.trim().slice(1, -1).trim()).filter((b) => b.length > 0);
  const games = perGame.reduce((n, p) => n + Number(p.request.params[COMPACTED] ?? 1), 0);
  const compacted: StoredResponse<readonly unknown[]> = {
    data: perGame.flatMap((p) => p.data),
    raw: `[${bodies.join(',')}]`,
    request: { path: `/${asset.slice('raw/'.length)}/game/{id}`, params: { [COMPACTED]: String(games) } },
    fetchedAt: perGame.map((p) => p.fetchedAt).sort().at(-1)!,
  };
  return [...parts.filter((p) => !perGame.includes(p)), compacted];
}

export function perTeamAssets(resources: ProjectResources): AssetDefinition[] {
  return [
    perTeamSeasonAsset(resources, {
      key: 'raw/substitutions',
      description: 'Substitutions of a season: one GET /substitutions/team per Division I team, then GET /substitutions/game/{id} per newly final game.',
      byTeam: (client, season, team) => client.call(getSubstitutionsByTeam, { query: { season, team } }),
      byGame: (client, gameId) => client.call(getSubstitutionsByGame, { path: { gameId } }),
    }),
    perTeamSeasonAsset(resources, {
      key: 'raw/lineups',
      description: 'Lineups of a season: season totals per Division I team (GET /lineups/team), then per newly final game (GET /lineups/game/{id}); silver adds them up.',
      byTeam: (client, season, team) => client.call(getLineupsByTeamSeason, { query: { season, team } }),
      byGame: (client, gameId) => client.call(getLineupStatsByGame, { path: { gameId } }),
    }),
  ];
}
