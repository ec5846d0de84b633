/**
 * Which raw assets each endpoint of the CBBD API feeds, or why the pipeline does not call it: the project's map from
 * the source's catalog (`src/cbbd/endpoints.ts`) to its assets. Each raw asset's record type is its endpoint's
 * response type (`record-types.ts`).
 */
import type { EndpointFunction } from '../../src/cbbd/endpoints.ts';

export interface EndpointAssets {
  /** Raw assets fed by this endpoint; empty when the pipeline does not need it (and why, in `note`). */
  readonly assets: readonly string[];
  readonly note?: string;
}

export const ENDPOINT_ASSETS: Readonly<Record<EndpointFunction, EndpointAssets>> = {
  getConferences: { assets: ['raw/conferences'] },
  getConferenceHistory: { assets: ['raw/conference_history'] },
  getVenues: { assets: ['raw/venues'] },
  getPlayTypes: { assets: ['raw/play_types'] },
  getProviders: { assets: ['raw/lines_providers'] },
  getDraftTeams: { assets: ['raw/draft_teams'] },
  getDraftPositions: { assets: ['raw/draft_positions'] },
  getTeams: { assets: ['raw/teams'] },
  getTeamRoster: { assets: ['raw/rosters'] },
  getGames: { assets: ['raw/games'] },
  getGameTeams: { assets: ['raw/game_teams'] },
  getGamePlayers: { assets: ['raw/game_players'] },
  getBroadcasts: { assets: ['raw/game_media'] },
  getLines: { assets: ['raw/lines'] },
  getScoreboard: { assets: [], note: 'live scores; the games endpoints cover finals' },
  getPlaysByDate: { assets: ['raw/plays'] },
  getPlays: { assets: ['raw/plays'], note: 'only games missing from /plays/date' },
  getPlaysByTeam: { assets: [], note: 'the dates cover it' },
  getPlaysByPlayerId: { assets: [], note: 'tens of thousands of calls' },
  getPlaysByTournament: { assets: [], note: 'the dates cover it' },
  getSubstitutionsByTeam: { assets: ['raw/substitutions'] },
  getSubstitutionsByGame: { assets: ['raw/substitutions'], note: 'newly final games of a season already backfilled' },
  getSubstitutionsByPlayerId: { assets: [], note: 'tens of thousands of calls' },
  getLineupsByTeamSeason: { assets: ['raw/lineups'] },
  getLineupStatsByGame: { assets: ['raw/lineups'], note: 'newly final games of a season already backfilled' },
  getTeamSeasonStats: { assets: ['raw/team_season_stats'] },
  getPlayerSeasonStats: { assets: ['raw/player_season_stats'] },
  getTeamSeasonShootingStats: { assets: ['raw/team_season_shooting'] },
  getPlayerSeasonShootingStats: { assets: ['raw/player_season_shooting'] },
  getTeamLeaderboardStats: { assets: ['raw/team_leaderboard'] },
  getRankings: { assets: ['raw/rankings'] },
  getAdjustedEfficiency: { assets: ['raw/ratings_adjusted'], note: 'without season the answer spans seasons' },
  getSrs: { assets: ['raw/ratings_srs'], note: 'without season the answer spans seasons' },
  getElo: { assets: ['raw/ratings_elo'] },
  getRecruits: { assets: ['raw/recruiting_players'] },
  getTeamRecruitingRankings: { assets: ['raw/recruiting_teams'] },
  getPortalTransfers: { assets: ['raw/recruiting_portal'] },
  getDraftPicks: { assets: ['raw/draft_picks'] },
};
