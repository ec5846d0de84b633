/**
 * The endpoint catalog: every endpoint function of the `cbbd` package, what kind of data it serves, its required
 * parameters under their real names (`year`, not `season`, for recruiting and the draft), its result cap, and the
 * raw assets it feeds. `test/cbbd/endpoints.test.ts` checks that it covers the package exactly and that the
 * simulator answers every path.
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
  /** Raw assets fed by this endpoint; empty when the pipeline does not need it (and why, in `note`). */
  readonly assets: readonly string[];
  readonly note?: string;
}

type EndpointFunction = { [K in keyof typeof cbbd]: K extends `get${string}` ? K : never }[keyof typeof cbbd];

export const ENDPOINTS: Readonly<Record<EndpointFunction, EndpointInfo>> = {
  getConferences: { path: '/conferences', kind: 'snapshot', required: [], assets: ['raw/conferences'] },
  getConferenceHistory: { path: '/conferences/history', kind: 'snapshot', required: [], assets: ['raw/conference_history'] },
  getVenues: { path: '/venues', kind: 'snapshot', required: [], assets: ['raw/venues'] },
  getPlayTypes: { path: '/plays/types', kind: 'snapshot', required: [], assets: ['raw/play_types'] },
  getProviders: { path: '/lines/providers', kind: 'snapshot', required: [], assets: ['raw/lines_providers'] },
  getDraftTeams: { path: '/draft/teams', kind: 'snapshot', required: [], assets: ['raw/draft_teams'] },
  getDraftPositions: { path: '/draft/positions', kind: 'snapshot', required: [], assets: ['raw/draft_positions'] },
  getTeams: { path: '/teams', kind: 'season', required: [], assets: ['raw/teams'] },
  getTeamRoster: { path: '/teams/roster', kind: 'season', required: ['season'], assets: ['raw/rosters'] },
  getGames: { path: '/games', kind: 'date_range', required: [], cap: 3_000, assets: ['raw/games'] },
  getGameTeams: { path: '/games/teams', kind: 'date_range', required: [], cap: 3_000, assets: ['raw/game_teams'] },
  getGamePlayers: { path: '/games/players', kind: 'date_range', required: [], cap: 1_000, assets: ['raw/game_players'] },
  getBroadcasts: { path: '/games/media', kind: 'date_range', required: [], cap: 3_000, assets: ['raw/game_media'] },
  getLines: { path: '/lines', kind: 'date_range', required: [], cap: 3_000, assets: ['raw/lines'] },
  getScoreboard: { path: '/scoreboard', kind: 'live', required: [], assets: [], note: 'live scores; the games endpoints cover finals' },
  getPlaysByDate: { path: '/plays/date', kind: 'single_date', required: ['date'], assets: ['raw/plays'] },
  getPlays: { path: '/plays/game/{gameId}', kind: 'per_game', required: ['gameId'], assets: ['raw/plays'], note: 'only games missing from /plays/date' },
  getPlaysByTeam: { path: '/plays/team', kind: 'per_team', required: ['season', 'team'], assets: [], note: 'the dates cover it' },
  getPlaysByPlayerId: { path: '/plays/player/{playerId}', kind: 'per_player', required: ['playerId', 'season'], assets: [], note: 'tens of thousands of calls' },
  getPlaysByTournament: { path: '/plays/tournament', kind: 'per_tournament', required: ['tournament', 'season'], assets: [], note: 'the dates cover it' },
  getSubstitutionsByTeam: { path: '/substitutions/team', kind: 'per_team', required: ['season', 'team'], assets: ['raw/substitutions'] },
  getSubstitutionsByGame: { path: '/substitutions/game/{gameId}', kind: 'per_game', required: ['gameId'], assets: ['raw/substitutions'], note: 'newly final games of a season already backfilled' },
  getSubstitutionsByPlayerId: { path: '/substitutions/player/{playerId}', kind: 'per_player', required: ['playerId', 'season'], assets: [], note: 'tens of thousands of calls' },
  getLineupsByTeamSeason: { path: '/lineups/team', kind: 'per_team', required: ['season', 'team'], assets: ['raw/lineups'] },
  getLineupStatsByGame: { path: '/lineups/game/{gameId}', kind: 'per_game', required: ['gameId'], assets: ['raw/lineups'], note: 'newly final games of a season already backfilled' },
  getTeamSeasonStats: { path: '/stats/team/season', kind: 'season', required: [], assets: ['raw/team_season_stats'] },
  getPlayerSeasonStats: { path: '/stats/player/season', kind: 'season', required: ['season'], assets: ['raw/player_season_stats'] },
  getTeamSeasonShootingStats: { path: '/stats/team/shooting/season', kind: 'season', required: ['season'], assets: ['raw/team_season_shooting'] },
  getPlayerSeasonShootingStats: { path: '/stats/player/shooting/season', kind: 'season', required: ['season'], assets: ['raw/player_season_shooting'] },
  getTeamLeaderboardStats: { path: '/stats/team/leaderboard', kind: 'season', required: [], assets: ['raw/team_leaderboard'] },
  getRankings: { path: '/rankings', kind: 'season', required: [], assets: ['raw/rankings'] },
  getAdjustedEfficiency: { path: '/ratings/adjusted', kind: 'season', required: [], assets: ['raw/ratings_adjusted'], note: 'without season the answer spans seasons' },
  getSrs: { path: '/ratings/srs', kind: 'season', required: [], assets: ['raw/ratings_srs'], note: 'without season the answer spans seasons' },
  getElo: { path: '/ratings/elo', kind: 'season', required: [], assets: ['raw/ratings_elo'] },
  getRecruits: { path: '/recruiting/players', kind: 'year', required: [], assets: ['raw/recruiting_players'] },
  getTeamRecruitingRankings: { path: '/recruiting/teams', kind: 'year', required: [], assets: ['raw/recruiting_teams'] },
  getPortalTransfers: { path: '/recruiting/portal', kind: 'year', required: [], assets: ['raw/recruiting_portal'] },
  getDraftPicks: { path: '/draft/picks', kind: 'year', required: [], assets: ['raw/draft_picks'] },
};
