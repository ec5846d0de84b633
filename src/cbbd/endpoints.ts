/**
 * The endpoint catalog: every endpoint function of the `cbbd` package, what kind of data it serves, its required
 * parameters under their real names (`year`, not `season`, for recruiting and the draft) and its result cap. Which
 * raw assets each feeds is the project's business (`assets/raw/endpoint-assets.ts`). `test/cbbd/endpoints.test.ts`
 * checks that it covers the package exactly and that the simulator answers every path.
 */
import type * as cbbd from 'cbbd';

export type EndpointKind = 'snapshot' | 'season' | 'year' | 'date_range' | 'single_date' | 'per_team' | 'per_game' | 'per_player' | 'per_tournament' | 'live';

export interface EndpointInfo {
  readonly path: string;
  readonly kind: EndpointKind;
  /** Required parameters, as the API names them. */
  readonly required: readonly string[];
  /** Games per response, after which the API silently truncates (ordered by start date). */
  readonly cap?: number;
}

export type EndpointFunction = { [K in keyof typeof cbbd]: K extends `get${string}` ? K : never }[keyof typeof cbbd];

export const ENDPOINTS: Readonly<Record<EndpointFunction, EndpointInfo>> = {
  getConferences: { path: '/conferences', kind: 'snapshot', required: [] },
  getConferenceHistory: { path: '/conferences/history', kind: 'snapshot', required: [] },
  getVenues: { path: '/venues', kind: 'snapshot', required: [] },
  getPlayTypes: { path: '/plays/types', kind: 'snapshot', required: [] },
  getProviders: { path: '/lines/providers', kind: 'snapshot', required: [] },
  getDraftTeams: { path: '/draft/teams', kind: 'snapshot', required: [] },
  getDraftPositions: { path: '/draft/positions', kind: 'snapshot', required: [] },
  getTeams: { path: '/teams', kind: 'season', required: [] },
  getTeamRoster: { path: '/teams/roster', kind: 'season', required: ['season'] },
  getGames: { path: '/games', kind: 'date_range', required: [], cap: 3_000 },
  getGameTeams: { path: '/games/teams', kind: 'date_range', required: [], cap: 3_000 },
  getGamePlayers: { path: '/games/players', kind: 'date_range', required: [], cap: 1_000 },
  getBroadcasts: { path: '/games/media', kind: 'date_range', required: [], cap: 3_000 },
  getLines: { path: '/lines', kind: 'date_range', required: [], cap: 3_000 },
  getScoreboard: { path: '/scoreboard', kind: 'live', required: [] },
  getPlaysByDate: { path: '/plays/date', kind: 'single_date', required: ['date'] },
  getPlays: { path: '/plays/game/{gameId}', kind: 'per_game', required: ['gameId'] },
  getPlaysByTeam: { path: '/plays/team', kind: 'per_team', required: ['season', 'team'] },
  getPlaysByPlayerId: { path: '/plays/player/{playerId}', kind: 'per_player', required: ['playerId', 'season'] },
  getPlaysByTournament: { path: '/plays/tournament', kind: 'per_tournament', required: ['tournament', 'season'] },
  getSubstitutionsByTeam: { path: '/substitutions/team', kind: 'per_team', required: ['season', 'team'] },
  getSubstitutionsByGame: { path: '/substitutions/game/{gameId}', kind: 'per_game', required: ['gameId'] },
  getSubstitutionsByPlayerId: { path: '/substitutions/player/{playerId}', kind: 'per_player', required: ['playerId', 'season'] },
  getLineupsByTeamSeason: { path: '/lineups/team', kind: 'per_team', required: ['season', 'team'] },
  getLineupStatsByGame: { path: '/lineups/game/{gameId}', kind: 'per_game', required: ['gameId'] },
  getTeamSeasonStats: { path: '/stats/team/season', kind: 'season', required: [] },
  getPlayerSeasonStats: { path: '/stats/player/season', kind: 'season', required: ['season'] },
  getTeamSeasonShootingStats: { path: '/stats/team/shooting/season', kind: 'season', required: ['season'] },
  getPlayerSeasonShootingStats: { path: '/stats/player/shooting/season', kind: 'season', required: ['season'] },
  getTeamLeaderboardStats: { path: '/stats/team/leaderboard', kind: 'season', required: [] },
  getRankings: { path: '/rankings', kind: 'season', required: [] },
  getAdjustedEfficiency: { path: '/ratings/adjusted', kind: 'season', required: [] },
  getSrs: { path: '/ratings/srs', kind: 'season', required: [] },
  getElo: { path: '/ratings/elo', kind: 'season', required: [] },
  getRecruits: { path: '/recruiting/players', kind: 'year', required: [] },
  getTeamRecruitingRankings: { path: '/recruiting/teams', kind: 'year', required: [] },
  getPortalTransfers: { path: '/recruiting/portal', kind: 'year', required: [] },
  getDraftPicks: { path: '/draft/picks', kind: 'year', required: [] },
};
