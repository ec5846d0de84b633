/**
 * The five promised gold tables (GOLD.md), one partition per season, each one SQL asset, and the ratings backtest
 * (backtest.ts). Division I means the
 * season's teams in a Division I conference (silver/dim_teams of that season), never today's conference map.
 */
import type { AssetDefinition, AssetSpec, ColumnSpec } from '../../src/core/asset.ts';
import { defineSqlAsset, type SqlCheck } from '../../src/authoring/sql-asset.ts';
import { SEASON_KEY } from '../../src/lake/table-layout.ts';
import type { ProjectResources } from '../resources.ts';
import { backtestAssets } from './backtest.ts';
import { normalCdf, predictionColumns, WIN_PROB_PRIOR } from './predictions.ts';

const SEASON = { kind: 'season' } as const;
const col = (name: string, type: string, nullable = true): ColumnSpec => ({ name, type, nullable });
const cols = (type: string, ...names: string[]) => names.map((n) => col(n, type));

const DIVISION_ONE = `SELECT id::BIGINT AS teamId, school AS team, conference FROM teams WHERE conferenceId IS NOT NULL`;

/** GOLD.md: one row per Division I team of the season. */
const ONE_ROW_PER_DIVISION_ONE_TEAM: SqlCheck = {
  name: 'one_row_per_division_one_team',
  description: 'Exactly the Division I teams of the season, one row each.',
  sql: `WITH d1 AS (${DIVISION_ONE}) SELECT (SELECT count(*) FROM out) = (SELECT count(*) FROM d1) AND (SELECT count(*) FROM out ANTI JOIN d1 USING (teamId)) = 0 AS passed,
    (SELECT count(*) FROM out) || ' row(s) for ' || (SELECT count(*) FROM d1) || ' Division I team(s)' AS detail`,
};

// -----------------------------------------------------------------------------------------------------------------

const POWER_COLUMNS: ColumnSpec[] = [
  col('teamId', 'bigint', false), col('team', 'string'), col('conference', 'string'),
  ...cols('double', 'adj_off_rating', 'adj_def_rating', 'adj_net_rating'),
  ...cols('int', 'ranking_offense', 'ranking_defense', 'ranking_net'),
  col('srs_rating', 'double'), ...cols('int', 'ap_rank', 'coaches_rank'),
  ...cols('double', 'pbp_off_eff', 'pbp_def_eff', 'pbp_net_eff', 'pbp_pace'), col('games_played', 'int'),
  ...cols('double', 'pbp_adj_off_eff', 'pbp_adj_def_eff', 'pbp_adj_net_eff', 'composite_score'), col('composite_rank', 'int'),
  SEASON_KEY,
];

/** A percentile score 0-100 (higher is better) among the teams that have the figure; null without it. */
const percentile = (x: string) => `CASE WHEN ${x} IS NULL THEN NULL ELSE 100.0 * percent_rank() OVER (PARTITION BY ${x} IS NULL ORDER BY ${x}) END`;

/**
 * The mean and the sum of a DOUBLE, the same to the last bit however DuckDB splits the rows among its threads: a
 * floating-point sum depends on the order of its terms, so `avg(pace)` came out 1e-14 apart from one run to the next and
 * the table's data version changed with nothing changed upstream. Summed as DECIMAL (exact integer arithmetic), the
 * order no longer matters; 12 decimals keep the figures' precision. A value DECIMAL cannot hold (NaN, infinite) is
 * left out as a null is, rather than failing the table.
 */
const exact = (fn: 'avg' | 'sum') => (x: string, where?: string) =>
  `(${fn}(CASE WHEN isfinite(${x}) THEN (${x})::DECIMAL(38,12) END)${where ? ` FILTER (WHERE ${where})` : ''})::DOUBLE`;
const exactAvg = exact('avg');
const exactSum = exact('sum');

const POWER_SQL = `
WITH d1 AS (${DIVISION_ONE}),
pbp AS (
  SELECT teamId, count(*)::INTEGER AS games_played,
    100.0 * sum(points) / nullif(sum(possessions), 0) AS off, 100.0 * sum(opp_points) / nullif(sum(opp_possessions), 0) AS def, ${exactAvg('pace')} AS pace
  FROM flat WHERE opp_points IS NOT NULL GROUP BY teamId
),
latest AS (SELECT teamId, adj_oe, adj_de, adj_margin FROM adj QUALIFY date = max(date) OVER ()),
poll AS (
  SELECT teamId::BIGINT AS teamId, pollType, ranking::INTEGER AS ranking FROM polls
  QUALIFY dense_rank() OVER (PARTITION BY pollType ORDER BY (seasonType = 'postseason') DESC, week DESC) = 1
),
joined AS (
  SELECT d1.teamId, d1.team, d1.conference,
    r.offensiveRating AS adj_off_rating, r.defensiveRating AS adj_def_rating, r.netRating AS adj_net_rating,
    r.rankings_offense::INTEGER AS ranking_offense, r.rankings_defense::INTEGER AS ranking_defense, r.rankings_net::INTEGER AS ranking_net,
    s.rating AS srs_rating,
    (SELECT min(ranking) FROM poll p WHERE p.teamId = d1.teamId AND p.pollType ILIKE 'AP%') AS ap_rank,
    (SELECT min(ranking) FROM poll p WHERE p.teamId = d1.teamId AND p.pollType ILIKE '%coach%') AS coaches_rank,
    pbp.off AS pbp_off_eff, pbp.def AS pbp_def_eff, pbp.off - pbp.def AS pbp_net_eff, pbp.pace AS pbp_pace, pbp.games_played,
    l.adj_oe AS pbp_adj_off_eff, l.adj_de AS pbp_adj_def_eff, l.adj_margin AS pbp_adj_net_eff
  FROM d1 LEFT JOIN ratings r ON r.teamId = d1.teamId LEFT JOIN srs s ON s.teamId = d1.teamId
  LEFT JOIN pbp ON pbp.teamId = d1.teamId LEFT JOIN latest l ON l.teamId = d1.teamId
),
scored AS (
  SELECT *, (SELECT avg(x) FROM (VALUES (p1), (p2), (p3)) v(x)) AS composite_score FROM (
    SELECT *, ${percentile('adj_net_rating')} AS p1, ${percentile('pbp_adj_net_eff')} AS p2, ${percentile('srs_rating')} AS p3 FROM joined
  )
)
SELECT * EXCLUDE (p1, p2, p3), (rank() OVER (ORDER BY composite_score DESC NULLS LAST))::INTEGER AS composite_rank FROM scored`;

// -----------------------------------------------------------------------------------------------------------------

const SIDE_FEATURES = ['adj_oe', 'adj_de', 'adj_margin', 'barthag', 'srs', 'games_before', 'ppg', 'pace', 'efg_pct', 'tov_rate', 'oreb_pct', 'ft_rate'];
const FEATURE_COLUMNS: ColumnSpec[] = [
  col('gameId', 'bigint', false), col('teamId', 'bigint', false), col('game_date', 'string', false), col('opponentId', 'bigint'),
  ...cols('boolean', 'is_home', 'is_neutral', 'is_conference_game'),
  ...cols('string', 'team', 'conference', 'opponent', 'opponent_conference'),
  ...cols('double', 'spread', 'over_under', 'moneyline', 'opp_moneyline'), col('line_providers', 'int'),
  ...SIDE_FEATURES.map((f) => col(`team_${f}`, f === 'games_before' ? 'int' : 'double')),
  ...SIDE_FEATURES.map((f) => col(`opp_${f}`, f === 'games_before' ? 'int' : 'double')),
  ...cols('double', 'opp_def_efg_pct', 'opp_def_tov_rate', 'opp_def_oreb_pct', 'opp_def_ft_rate'),
  ...cols('int', 'team_score', 'opp_score'), col('team_win', 'boolean'),
  ...cols('double', 'pred_possessions', 'pred_margin', 'pred_total', 'pred_home_court', 'pred_win_prob'),
  SEASON_KEY,
];

/**
 * Every feature is as of the morning of the game's date: the rollups and ratings of that date's partition cover the
 * games strictly before it. The API's season SRS is an end-of-season figure (look-ahead): the SRS here is the one
 * solved beside the adjusted efficiencies, from the same earlier games.
 */
const FEATURES_SQL = `
WITH sides AS (
  SELECT id AS gameId, date AS game_date, status, neutralSite AS is_neutral, conferenceGame AS is_conference_game, true AS is_home,
    homeTeamId AS teamId, homeTeam AS team, homeConference AS conference, awayTeamId AS opponentId, awayTeam AS opponent, awayConference AS opponent_conference,
    homePoints AS team_score, awayPoints AS opp_score FROM games
  UNION ALL
  SELECT id, date, status, neutralSite, conferenceGame, false,
    awayTeamId, awayTeam, awayConference, homeTeamId, homeTeam, homeConference, awayPoints, homePoints FROM games
),
line AS (
  SELECT gameId, median(spread) AS spread, median(overUnder) AS over_under, median(homeMoneyline) AS home_ml, median(awayMoneyline) AS away_ml,
    count(*)::INTEGER AS providers
  FROM lines GROUP BY gameId
),
form AS (
  SELECT teamId, date, r.games AS games_before, r.ppg, r.pace, r.efg_pct, r.tov_rate, r.oreb_pct, r.ft_rate,
    r.opp_efg_pct, r.opp_tov_rate, r.opp_oreb_pct, r.opp_ft_rate, a.adj_oe, a.adj_de, a.adj_margin, a.barthag, a.srs,
    a.adj_tempo, a.hca, a.league_eff, a.league_tempo
  FROM rollup r FULL JOIN adj a USING (teamId, date)
),
joined AS (
  SELECT s.gameId, s.teamId, s.game_date, s.opponentId, s.is_home, s.is_neutral, s.is_conference_game, s.team, s.conference, s.opponent, s.opponent_conference,
    CASE WHEN s.is_home THEN l.spread ELSE -l.spread END AS spread, l.over_under,
    CASE WHEN s.is_home THEN l.home_ml ELSE l.away_ml END AS moneyline, CASE WHEN s.is_home THEN l.away_ml ELSE l.home_ml END AS opp_moneyline,
    coalesce(l.providers, 0) AS line_providers,
    ${SIDE_FEATURES.map((f) => `t.${f} AS team_${f}`).join(', ')},
    ${SIDE_FEATURES.map((f) => `o.${f} AS opp_${f}`).join(', ')},
    o.opp_efg_pct AS opp_def_efg_pct, o.opp_tov_rate AS opp_def_tov_rate, o.opp_oreb_pct AS opp_def_oreb_pct, o.opp_ft_rate AS opp_def_ft_rate,
    CASE WHEN s.status = 'final' THEN s.team_score END AS team_score, CASE WHEN s.status = 'final' THEN s.opp_score END AS opp_score,
    CASE WHEN s.status = 'final' AND s.team_score IS NOT NULL AND s.opp_score IS NOT NULL THEN s.team_score > s.opp_score END AS team_win,
    t.adj_tempo AS t_adj_tempo, o.adj_tempo AS o_adj_tempo, t.adj_oe AS t_adj_oe, t.adj_de AS t_adj_de, o.adj_oe AS o_adj_oe, o.adj_de AS o_adj_de,
    coalesce(t.hca, o.hca) AS hca, coalesce(t.league_eff, o.league_eff) AS league_eff, coalesce(t.league_tempo, o.league_tempo) AS league_tempo,
    CASE WHEN s.is_neutral THEN 0 WHEN s.is_home THEN 1 WHEN NOT s.is_home THEN -1 ELSE 0 END AS venue
  FROM sides s LEFT JOIN line l USING (gameId)
  LEFT JOIN form t ON t.teamId = s.teamId AND t.date = s.game_date
  LEFT JOIN form o ON o.teamId = s.opponentId AND o.date = s.game_date
),
predicted AS (
  SELECT * EXCLUDE (t_adj_tempo, o_adj_tempo, t_adj_oe, t_adj_de, o_adj_oe, o_adj_de, hca, league_eff, league_tempo, venue), ${predictionColumns('t_', 'o_')}
  FROM joined
),
-- The spread of results around the prediction, from the final games of earlier dates (one error a game, from the home
-- side), with a prior of ${WIN_PROB_PRIOR.games} games at ${WIN_PROB_PRIOR.sd} points; summed exactly, so the table's bytes do not depend on threads.
daily AS (
  SELECT game_date, ${exactSum('(pred_margin - (team_score - opp_score)) * (pred_margin - (team_score - opp_score))')} AS squares, count(*) AS n
  FROM predicted WHERE is_home AND team_score IS NOT NULL AND opp_score IS NOT NULL AND pred_margin IS NOT NULL GROUP BY game_date
),
spread_sd AS (
  SELECT d.game_date, sqrt((coalesce(${exactSum('e.squares')}, 0) + ${WIN_PROB_PRIOR.games * WIN_PROB_PRIOR.sd ** 2}) / (coalesce(sum(e.n), 0) + ${WIN_PROB_PRIOR.games})) AS sd
  FROM (SELECT DISTINCT game_date FROM predicted) d LEFT JOIN daily e ON e.game_date < d.game_date GROUP BY d.game_date
)
SELECT p.*, ${normalCdf('p.pred_margin / s.sd')} AS pred_win_prob
FROM predicted p LEFT JOIN spread_sd s USING (game_date)`;

// -----------------------------------------------------------------------------------------------------------------

const PLAYER_COLUMNS: ColumnSpec[] = [
  col('playerId', 'bigint', false), col('name', 'string'), col('teamId', 'bigint'), col('team', 'string'), col('conference', 'string'), col('position', 'string'),
  col('teams', 'int'),
  ...cols('double', 'games', 'starts', 'minutes', 'points', 'rebounds', 'offensive_rebounds', 'defensive_rebounds', 'assists', 'steals', 'blocks', 'turnovers',
    'fgm', 'fga', 'fg3m', 'fg3a', 'ftm', 'fta', 'mpg', 'ppg', 'rpg', 'apg', 'fg_pct', 'fg3_pct', 'ft_pct', 'efg_pct', 'true_shooting', 'usage_rate',
    'pts_per40', 'reb_per40', 'ast_per40', 'ast_to_ratio'),
  col('recruiting_rank', 'int'), col('recruiting_stars', 'int'), col('recruiting_rating', 'double'),
  SEASON_KEY,
];

const div = (num: string, den: string) => `CASE WHEN (${den}) = 0 THEN NULL ELSE (${num}) / (${den}) END`;

/**
 * A player who played for two teams in a season has one row: totals added up, the team he played most minutes for,
 * and usage as the minutes-weighted mean of his usage on each team (each against that team's totals).
 */
const PLAYER_SQL = `
WITH stints AS (
  SELECT athleteId, name, teamId, team, conference, position, games, starts, minutes,
    coalesce(points, 0) AS points, coalesce(rebounds_total, 0) AS rebounds, coalesce(rebounds_offensive, 0) AS offensive_rebounds,
    coalesce(rebounds_defensive, 0) AS defensive_rebounds, coalesce(assists, 0) AS assists, coalesce(steals, 0) AS steals,
    coalesce(blocks, 0) AS blocks, coalesce(turnovers, 0) AS turnovers,
    coalesce(fieldGoals_made, 0) AS fgm, coalesce(fieldGoals_attempted, 0) AS fga, coalesce(threePointFieldGoals_made, 0) AS fg3m,
    coalesce(threePointFieldGoals_attempted, 0) AS fg3a, coalesce(freeThrows_made, 0) AS ftm, coalesce(freeThrows_attempted, 0) AS fta
  FROM players
),
team_totals AS (
  SELECT teamId, sum(minutes) AS t_min, sum(fga) AS t_fga, sum(fta) AS t_fta, sum(turnovers) AS t_tov FROM stints GROUP BY teamId
),
usage AS (
  SELECT s.*, 100.0 * (s.fga + 0.44 * s.fta + s.turnovers) * (t.t_min / 5) / nullif(s.minutes * (t.t_fga + 0.44 * t.t_fta + t.t_tov), 0) AS usage
  FROM stints s JOIN team_totals t USING (teamId)
),
player AS (
  SELECT athleteId AS playerId, arg_max(name, minutes) AS name, arg_max(teamId, minutes) AS teamId, arg_max(team, minutes) AS team,
    arg_max(conference, minutes) AS conference, arg_max(position, minutes) AS position, count(*)::INTEGER AS teams,
    sum(games) AS games, sum(starts) AS starts, sum(minutes) AS minutes, sum(points) AS points, sum(rebounds) AS rebounds,
    sum(offensive_rebounds) AS offensive_rebounds, sum(defensive_rebounds) AS defensive_rebounds, sum(assists) AS assists,
    sum(steals) AS steals, sum(blocks) AS blocks, sum(turnovers) AS turnovers, sum(fgm) AS fgm, sum(fga) AS fga,
    sum(fg3m) AS fg3m, sum(fg3a) AS fg3a, sum(ftm) AS ftm, sum(fta) AS fta,
    ${div(exactSum('usage * minutes', 'usage IS NOT NULL'), 'sum(minutes) FILTER (WHERE usage IS NOT NULL)')} AS usage_rate
  FROM usage GROUP BY athleteId
),
recruit AS (
  SELECT athleteId, ranking::INTEGER AS recruiting_rank, stars::INTEGER AS recruiting_stars, rating AS recruiting_rating
  FROM recruits WHERE athleteId IS NOT NULL QUALIFY row_number() OVER (PARTITION BY athleteId ORDER BY season DESC, id) = 1
)
SELECT p.playerId, p.name, p.teamId, p.team, p.conference, p.position, p.teams,
  games, starts, minutes, points, rebounds, offensive_rebounds, defensive_rebounds, assists, steals, blocks, turnovers, fgm, fga, fg3m, fg3a, ftm, fta,
  ${div('minutes', 'games')} AS mpg, ${div('points', 'games')} AS ppg, ${div('rebounds', 'games')} AS rpg, ${div('assists', 'games')} AS apg,
  ${div('fgm', 'fga')} AS fg_pct, ${div('fg3m', 'fg3a')} AS fg3_pct, ${div('ftm', 'fta')} AS ft_pct,
  ${div('fgm + 0.5 * fg3m', 'fga')} AS efg_pct, ${div('points', '2 * (fga + 0.44 * fta)')} AS true_shooting, usage_rate,
  ${div('40.0 * points', 'minutes')} AS pts_per40, ${div('40.0 * rebounds', 'minutes')} AS reb_per40, ${div('40.0 * assists', 'minutes')} AS ast_per40,
  ${div('assists', 'turnovers')} AS ast_to_ratio,
  r.recruiting_rank, r.recruiting_stars, r.recruiting_rating
FROM player p LEFT JOIN recruit r ON r.athleteId = p.playerId`;

// -----------------------------------------------------------------------------------------------------------------

const MARKET_COLUMNS: ColumnSpec[] = [
  col('gameId', 'bigint', false), col('provider', 'string', false), col('game_date', 'string'),
  ...cols('bigint', 'homeTeamId', 'awayTeamId'), ...cols('string', 'homeTeam', 'awayTeam'),
  ...cols('double', 'spread', 'over_under', 'home_moneyline', 'away_moneyline'),
  ...cols('int', 'home_score', 'away_score', 'total_points', 'home_margin'), col('home_win', 'boolean'),
  col('ats_margin', 'double'), ...cols('boolean', 'home_covered', 'is_push'), ...cols('double', 'spread_error', 'total_vs_line'), col('over_hit', 'boolean'),
  SEASON_KEY,
];

/** A push is neither a cover nor a loss: `home_covered` and `over_hit` are null on one. */
const MARKET_SQL = `
WITH final AS (SELECT id AS gameId, date AS game_date, homeTeamId, awayTeamId, homeTeam, awayTeam, homePoints, awayPoints
  FROM games WHERE status = 'final' AND homePoints IS NOT NULL AND awayPoints IS NOT NULL),
priced AS (
  SELECT l.gameId, l.provider, f.game_date, f.homeTeamId, f.awayTeamId, f.homeTeam, f.awayTeam,
    l.spread, l.overUnder AS over_under, l.homeMoneyline AS home_moneyline, l.awayMoneyline AS away_moneyline,
    f.homePoints::INTEGER AS home_score, f.awayPoints::INTEGER AS away_score,
    (f.homePoints + f.awayPoints)::INTEGER AS total_points, (f.homePoints - f.awayPoints)::INTEGER AS home_margin
  FROM lines l JOIN final f USING (gameId) WHERE l.spread IS NOT NULL OR l.overUnder IS NOT NULL
)
SELECT *, home_margin > 0 AS home_win, home_margin + spread AS ats_margin,
  CASE WHEN home_margin + spread > 0 THEN true WHEN home_margin + spread < 0 THEN false END AS home_covered,
  home_margin + spread = 0 AS is_push, abs(home_margin + spread) AS spread_error,
  total_points - over_under AS total_vs_line,
  CASE WHEN total_points > over_under THEN true WHEN total_points < over_under THEN false END AS over_hit
FROM priced`;

// -----------------------------------------------------------------------------------------------------------------

const FACTORS = ['efg_pct', 'tov_rate', 'oreb_pct', 'ft_rate'];
const SUMMARY_COLUMNS: ColumnSpec[] = [
  col('teamId', 'bigint', false), col('team', 'string'), col('conference', 'string'),
  ...cols('int', 'games', 'wins', 'losses'), col('win_pct', 'double'), ...cols('int', 'conference_wins', 'conference_losses'),
  ...cols('double', 'ppg', 'opp_ppg', 'margin', 'adj_off_rating', 'adj_def_rating', 'adj_net_rating', 'srs_rating'),
  ...cols('double', ...FACTORS, ...FACTORS.map((f) => `opp_${f}`), 'pace'),
  col('recruiting_avg_rating', 'double'), col('recruiting_top_star', 'int'), col('recruiting_class_size', 'int'),
  SEASON_KEY,
];

const SUMMARY_SQL = `
WITH d1 AS (${DIVISION_ONE}),
results AS (
  SELECT homeTeamId AS teamId, homePoints AS pf, awayPoints AS pa, conferenceGame FROM games WHERE status = 'final' AND homePoints IS NOT NULL AND awayPoints IS NOT NULL
  UNION ALL
  SELECT awayTeamId, awayPoints, homePoints, conferenceGame FROM games WHERE status = 'final' AND homePoints IS NOT NULL AND awayPoints IS NOT NULL
),
record AS (
  SELECT teamId, count(*)::INTEGER AS games, count(*) FILTER (WHERE pf > pa)::INTEGER AS wins, count(*) FILTER (WHERE pf < pa)::INTEGER AS losses,
    count(*) FILTER (WHERE conferenceGame AND pf > pa)::INTEGER AS conference_wins, count(*) FILTER (WHERE conferenceGame AND pf < pa)::INTEGER AS conference_losses,
    avg(pf) AS ppg, avg(pa) AS opp_ppg
  FROM results GROUP BY teamId
),
factors AS (
  SELECT teamId,
    ${div('sum(fgm) + 0.5 * sum(fg3m)', 'sum(fga)')} AS efg_pct, ${div('sum(tov)', 'sum(possessions)')} AS tov_rate,
    ${div('sum(oreb)', 'sum(oreb) + sum(opp_dreb)')} AS oreb_pct, ${div('sum(fta)', 'sum(fga)')} AS ft_rate,
    ${div('sum(opp_fgm) + 0.5 * sum(opp_fg3m)', 'sum(opp_fga)')} AS opp_efg_pct, ${div('sum(opp_tov)', 'sum(opp_possessions)')} AS opp_tov_rate,
    ${div('sum(opp_oreb)', 'sum(opp_oreb) + sum(dreb)')} AS opp_oreb_pct, ${div('sum(opp_fta)', 'sum(opp_fga)')} AS opp_ft_rate,
    ${exactAvg('pace')} AS pace
  FROM flat WHERE opp_points IS NOT NULL GROUP BY teamId
),
class AS (
  SELECT committedTo_id AS teamId, ${exactAvg('rating')} AS recruiting_avg_rating, max(stars)::INTEGER AS recruiting_top_star, count(*)::INTEGER AS recruiting_class_size
  FROM recruits WHERE committedTo_id IS NOT NULL GROUP BY committedTo_id
)
SELECT d1.teamId, d1.team, d1.conference, coalesce(r.games, 0) AS games, coalesce(r.wins, 0) AS wins, coalesce(r.losses, 0) AS losses,
  ${div('r.wins', 'r.games')}::DOUBLE AS win_pct, coalesce(r.conference_wins, 0) AS conference_wins, coalesce(r.conference_losses, 0) AS conference_losses,
  r.ppg::DOUBLE AS ppg, r.opp_ppg::DOUBLE AS opp_ppg, (r.ppg - r.opp_ppg)::DOUBLE AS margin,
  a.offensiveRating AS adj_off_rating, a.defensiveRating AS adj_def_rating, a.netRating AS adj_net_rating, s.rating AS srs_rating,
  ${[...FACTORS, ...FACTORS.map((f) => `opp_${f}`), 'pace'].map((f) => `f.${f}::DOUBLE AS ${f}`).join(', ')},
  c.recruiting_avg_rating, c.recruiting_top_star, coalesce(c.recruiting_class_size, 0) AS recruiting_class_size
FROM d1 LEFT JOIN record r USING (teamId) LEFT JOIN ratings a USING (teamId) LEFT JOIN srs s USING (teamId)
LEFT JOIN factors f USING (teamId) LEFT JOIN class c USING (teamId)`;

export function goldTables(resources: ProjectResources, upstream: (key: string) => AssetSpec | undefined): AssetDefinition[] {
  const storage = resources.storage;
  const tables = [
    defineSqlAsset(storage, {
      key: 'gold/team_power_rankings',
      description: 'Every Division I team of a season ranked: the API\'s adjusted ratings and SRS, the latest polls, play-by-play efficiency, our own adjusted ratings, and a composite rank.',
      partitions: SEASON,
      inputs: {
        teams: 'silver/dim_teams', ratings: 'silver/fct_ratings_adjusted', srs: 'silver/fct_ratings_srs', polls: 'silver/fct_rankings',
        flat: 'silver/fct_pbp_game_teams_flat', adj: 'gold/team_adjusted_efficiencies',
      },
      sql: POWER_SQL,
      schema: { columns: POWER_COLUMNS, primaryKey: ['teamId', 'season'] },
      checks: [ONE_ROW_PER_DIVISION_ONE_TEAM],
      preview: { orderBy: 'composite_rank, teamId' },
    }, upstream),
    defineSqlAsset(storage, {
      key: 'gold/game_predictions_features',
      description: 'Pre-game features of every game, one row per side: lines, and both teams\' form and ratings as of the morning of the game; results as labels for final games.',
      partitions: SEASON,
      inputs: {
        games: 'silver/fct_games', lines: 'silver/fct_lines', rollup: 'silver/fct_pbp_team_daily_rollup', adj: 'gold/team_adjusted_efficiencies',
      },
      sql: FEATURES_SQL,
      schema: { columns: FEATURE_COLUMNS, primaryKey: ['gameId', 'teamId', 'season'] },
      checks: [{
        name: 'two_rows_per_game', description: 'Every game has exactly two rows, one per side.',
        sql: `SELECT count(*) = 0 AS passed, count(*) || ' game(s) without exactly two rows' AS detail FROM (SELECT gameId FROM out GROUP BY gameId HAVING count(*) <> 2)`,
      }],
      preview: { orderBy: 'game_date desc, gameId, is_home desc' },
    }, upstream),
    defineSqlAsset(storage, {
      key: 'gold/player_season_impact',
      description: 'Every player\'s season: totals, per-game and per-40 rates, shooting, true usage, and his recruiting profile.',
      partitions: SEASON,
      inputs: { players: 'silver/fct_player_season_stats', recruits: { key: 'silver/fct_recruiting_players', mapping: 'all' } },
      sql: PLAYER_SQL,
      schema: { columns: PLAYER_COLUMNS, primaryKey: ['playerId', 'season'] },
      preview: { orderBy: 'points desc, playerId' },
    }, upstream),
    defineSqlAsset(storage, {
      key: 'gold/market_lines_analysis',
      description: 'Every final game with a line, per provider: against the spread and the total, pushes kept apart.',
      partitions: SEASON,
      inputs: { lines: 'silver/fct_lines', games: 'silver/fct_games' },
      sql: MARKET_SQL,
      schema: { columns: MARKET_COLUMNS, primaryKey: ['gameId', 'provider', 'season'] },
      preview: { orderBy: 'game_date desc, gameId, provider' },
    }, upstream),
    defineSqlAsset(storage, {
      key: 'gold/team_season_summary',
      description: 'Every Division I team\'s season: record and conference record, scoring, ratings, the Four Factors for and against, pace, and its recruiting class.',
      partitions: SEASON,
      inputs: {
        teams: 'silver/dim_teams', games: 'silver/fct_games', ratings: 'silver/fct_ratings_adjusted', srs: 'silver/fct_ratings_srs',
        flat: 'silver/fct_pbp_game_teams_flat', recruits: 'silver/fct_recruiting_players',
      },
      sql: SUMMARY_SQL,
      schema: { columns: SUMMARY_COLUMNS, primaryKey: ['teamId', 'season'] },
      checks: [ONE_ROW_PER_DIVISION_ONE_TEAM],
      preview: { orderBy: 'win_pct desc, teamId' },
    }, upstream),
  ];
  // The backtest reads the features: declared after them.
  return [...tables, ...backtestAssets(resources, (key) => tables.find((t) => t.key === key) ?? upstream(key))];
}
