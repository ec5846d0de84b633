/** The silver star schema: each table, the bronze table it reads, its natural key, and how it is laid out. */

export interface SilverTable {
  readonly name: string;
  readonly description: string;
  /** The bronze table read (its name without `bronze/`). */
  readonly from: string;
  /** The natural key, in silver column names: unique across the whole table. */
  readonly key: readonly string[];
  /** Partitioned by season (the partition's season becomes the `season` column); otherwise one unpartitioned table. */
  readonly seasonal: boolean;
  /** Timestamp column whose UTC date names the `date=` folder of a row (game facts). */
  readonly date?: string;
  /** A list of objects to unnest: one row per element, its fields beside the parent's. */
  readonly unnest?: string;
  /** Rows with the same key are added up instead of deduplicated. */
  readonly aggregate?: { readonly weight: string; readonly sum: readonly string[] };
}

const dim = (name: string, from: string, description: string): SilverTable => ({ name, from, description, key: ['id'], seasonal: false });

export const SILVER_TABLES: readonly SilverTable[] = [
  { name: 'dim_teams', from: 'teams', description: 'Teams of each season, every division.', key: ['season', 'id'], seasonal: true },
  dim('dim_conferences', 'conferences', 'Conferences.'),
  dim('dim_venues', 'venues', 'Venues.'),
  dim('dim_play_types', 'play_types', 'Play types.'),
  dim('dim_lines_providers', 'lines_providers', 'Betting-line providers.'),
  { name: 'fct_games', from: 'games', description: 'One row per game, by game date.', key: ['id'], seasonal: true, date: 'startDate' },
  { name: 'fct_game_teams', from: 'game_teams', description: 'Team box scores: one row per team and game.', key: ['gameId', 'teamId'], seasonal: true, date: 'startDate' },
  { name: 'fct_game_players', from: 'game_players', description: 'Player box scores: one row per player and game.', key: ['gameId', 'athleteId'], seasonal: true, date: 'startDate', unnest: 'players' },
  { name: 'fct_game_media', from: 'game_media', description: 'Broadcasts of each game.', key: ['gameId'], seasonal: true, date: 'startDate' },
  { name: 'fct_plays', from: 'plays', description: 'Play-by-play: one row per play.', key: ['id'], seasonal: true, date: 'gameStartDate' },
  {
    name: 'fct_substitutions', from: 'substitutions', description: 'Substitutions: one row per stint of a player on the floor.',
    key: ['gameId', 'athleteId', 'subIn_period', 'subIn_secondsRemaining'], seasonal: true, date: 'startDate',
  },
  {
    name: 'fct_lineups', from: 'lineups', description: 'Lineups over the season so far: a team\'s season totals plus the games since, added up.',
    key: ['season', 'teamId', 'idHash'], seasonal: true, aggregate: { weight: 'teamStats_possessions', sum: ['totalSeconds'] },
  },
  { name: 'fct_lines', from: 'lines', description: 'Betting lines: one row per game and provider.', key: ['gameId', 'provider'], seasonal: true, date: 'startDate', unnest: 'lines' },
  { name: 'fct_rankings', from: 'rankings', description: 'Weekly polls: one row per poll, week and team.', key: ['season', 'seasonType', 'week', 'pollType', 'teamId'], seasonal: true },
  { name: 'fct_ratings_adjusted', from: 'ratings_adjusted', description: 'Adjusted efficiency ratings per team and season.', key: ['season', 'teamId'], seasonal: true },
  { name: 'fct_ratings_srs', from: 'ratings_srs', description: 'SRS ratings per team and season.', key: ['season', 'teamId'], seasonal: true },
  { name: 'fct_recruiting_players', from: 'recruiting_players', description: 'Recruits of the class entering each season.', key: ['id'], seasonal: true },
  { name: 'fct_player_season_stats', from: 'player_season_stats', description: 'Player season statistics.', key: ['season', 'teamId', 'athleteId'], seasonal: true },
  { name: 'fct_team_season_stats', from: 'team_season_stats', description: 'Team season statistics.', key: ['season', 'teamId'], seasonal: true },
  { name: 'fct_player_season_shooting', from: 'player_season_shooting', description: 'Player shooting by shot type over a season.', key: ['season', 'teamId', 'athleteId'], seasonal: true },
  { name: 'fct_team_season_shooting', from: 'team_season_shooting', description: 'Team shooting by shot type over a season.', key: ['season', 'teamId'], seasonal: true },
  { name: 'fct_draft_picks', from: 'draft_picks', description: 'Draft picks after each season.', key: ['season', 'overall'], seasonal: true },
  { name: 'fct_rosters', from: 'rosters', description: 'Rosters: one row per player on a team in a season.', key: ['season', 'teamId', 'id'], seasonal: true, unnest: 'players' },
];
