/** Season sources that take one call for the whole season: teams, rosters, polls and ratings. */
import {
  getAdjustedEfficiency, getDraftPicks, getElo, getPlayerSeasonShootingStats, getPortalTransfers, getPlayerSeasonStats, getRankings, getRecruits, getSrs,
  getTeamLeaderboardStats, getTeamRecruitingRankings, getTeamRoster, getTeams, getTeamSeasonShootingStats, getTeamSeasonStats,
} from '../../src/cbbd/sdk.ts';
import type { SourceResponse } from '../../src/cbbd/client.ts';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import { partitionPrefix } from '../../src/lake/table-layout.ts';
import type { ProjectResources } from '../resources.ts';
import { rawPartitionOutput } from '../../src/authoring/raw/partition.ts';
import { recordTypeOf } from './record-types.ts';

type Client = Awaited<ReturnType<ProjectResources['source']['client']>>;

function oneCallSeasonAsset(
  resources: ProjectResources,
  key: string,
  description: string,
  fetch: (client: Client, season: number) => Promise<SourceResponse<unknown[]>>,
  /** How often a season in progress is asked again: daily for statistics and ratings, weekly for slower sources. */
  refresh: 'daily' | 'weekly' = 'weekly',
): AssetDefinition {
  // A little under a day, so a nightly schedule that starts a few minutes early still refreshes.
  const maxAgeHours = refresh === 'daily' ? 20 : 24 * 7 - 4;
  return defineAsset(
    {
      key, description, partitions: { kind: 'season' }, codeVersion: '1', volatile: { maxAgeHours }, expectedCalls: (p) => p.length,
      // Under the nightly's call budget a weekly refresh may wait up to two nights for the night's games.
      ...(refresh === 'weekly' && { deferrable: { withinHours: 48 } }),
    },
    async (ctx) => {
      const client = await resources.source.client();
      return Promise.all(ctx.partitions.map(async (season) =>
        rawPartitionOutput(resources, recordTypeOf(key), season, partitionPrefix(key, season), [await fetch(client, Number(season))])));
    },
  );
}

export function seasonAssets(resources: ProjectResources): AssetDefinition[] {
  return [
    oneCallSeasonAsset(resources, 'raw/teams', 'Teams of every division in a season (GET /teams), as the API returned them.',
      (client, season) => client.call(getTeams, { query: { season } })),
    oneCallSeasonAsset(resources, 'raw/rosters', 'Rosters of every team in a season (GET /teams/roster), one call.',
      (client, season) => client.call(getTeamRoster, { query: { season } })),
    oneCallSeasonAsset(resources, 'raw/rankings', 'Weekly AP and coaches polls of a season (GET /rankings).',
      (client, season) => client.call(getRankings, { query: { season } })),
    // Asked per season: without one, the ratings endpoints answer every season at once.
    oneCallSeasonAsset(resources, 'raw/ratings_adjusted', 'Adjusted efficiency ratings of a season (GET /ratings/adjusted).',
      (client, season) => client.call(getAdjustedEfficiency, { query: { season } }), 'daily'),
    oneCallSeasonAsset(resources, 'raw/ratings_srs', 'SRS ratings of a season (GET /ratings/srs).',
      (client, season) => client.call(getSrs, { query: { season } }), 'daily'),
    // Weekly: every game of /games (refreshed nightly) carries both teams' Elo before and after it.
    oneCallSeasonAsset(resources, 'raw/ratings_elo', 'Elo ratings of a season (GET /ratings/elo).',
      (client, season) => client.call(getElo, { query: { season } })),
    // Weekly: the leaderboard (daily) carries the same season totals for every team.
    oneCallSeasonAsset(resources, 'raw/team_season_stats', 'Team season statistics (GET /stats/team/season).',
      (client, season) => client.call(getTeamSeasonStats, { query: { season } })),
    oneCallSeasonAsset(resources, 'raw/player_season_stats', 'Player season statistics (GET /stats/player/season).',
      (client, season) => client.call(getPlayerSeasonStats, { query: { season } }), 'daily'),
    oneCallSeasonAsset(resources, 'raw/team_leaderboard', 'Team season leaderboard: totals, shot profile and adjusted efficiency (GET /stats/team/leaderboard).',
      (client, season) => client.call(getTeamLeaderboardStats, { query: { season } }), 'daily'),
    oneCallSeasonAsset(resources, 'raw/team_season_shooting', 'Team shooting by shot type over a season (GET /stats/team/shooting/season).',
      (client, season) => client.call(getTeamSeasonShootingStats, { query: { season } }), 'daily'),
    oneCallSeasonAsset(resources, 'raw/player_season_shooting', 'Player shooting by shot type over a season (GET /stats/player/shooting/season).',
      (client, season) => client.call(getPlayerSeasonShootingStats, { query: { season } }), 'daily'),
    // These take `year`, not `season`: the class entering in that season, the draft after it.
    oneCallSeasonAsset(resources, 'raw/recruiting_players', 'Recruits of the class entering in a season (GET /recruiting/players?year=).',
      (client, season) => client.call(getRecruits, { query: { year: season } })),
    oneCallSeasonAsset(resources, 'raw/recruiting_teams', 'Team recruiting rankings of a class (GET /recruiting/teams?year=).',
      (client, season) => client.call(getTeamRecruitingRankings, { query: { year: season } })),
    oneCallSeasonAsset(resources, 'raw/recruiting_portal', 'Transfers into the season (GET /recruiting/portal?year=).',
      (client, season) => client.call(getPortalTransfers, { query: { year: season } })),
    oneCallSeasonAsset(resources, 'raw/draft_picks', 'Draft picks after a season (GET /draft/picks?year=).',
      (client, season) => client.call(getDraftPicks, { query: { year: season } })),
  ];
}
