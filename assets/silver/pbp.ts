/**
 * Play-by-play derivations (GOLD.md), silver, one partition per season and game day, each a SQL asset:
 *
 *   fct_plays ─▶ fct_pbp_plays_enriched ─▶ fct_pbp_game_teams_flat ──────────────▶ fct_pbp_team_daily_rollup
 *                                        │                               └──────▶ fct_pbp_team_daily_rollup_adj
 *                                        └▶ fct_pbp_game_teams_flat_garbage_removed ▶ ..._rollup_garbage_removed
 *
 * Plays, enriched plays and flat box scores map day to day, so a night rebuilds only the game days whose plays
 * changed. A rollup of day D reads every earlier game day of its season (the `earlier_dates` mapping): totals as of
 * the morning of D, the only safe input for pre-game features; a late correction to one day restales exactly the
 * later days.
 */
import type { AssetDefinition, AssetSpec, ColumnSpec } from '../../src/core/asset.ts';
import { defineSqlAsset } from '../../src/authoring/sql-asset.ts';
import { DATE_KEY, SEASON_KEY } from '../../src/lake/table-layout.ts';
import { DEFAULT_GOLD, fixedHca, type ProjectResources } from '../resources.ts';

const DAY = { kind: 'season_date', calendar: 'raw/games' } as const;
/** A step computes up to a season of game days through one DuckDB connection. */
const BATCH = { maxPartitions: 200 };
/** Game days computed by one query where the SQL is day-local (plays and box scores): about 0.5 M plays. */
const CHUNK = 16;

const col = (name: string, type: string, nullable = true): ColumnSpec => ({ name, type, nullable });

// ---------------------------------------------------------------------------------------------------------------
// Enriched plays

const ENRICHED_COLUMNS: ColumnSpec[] = [
  col('id', 'bigint', false), col('gameId', 'bigint', false), col('play_order', 'int', false), col('period', 'int', false),
  col('secondsRemaining', 'int', false), col('clock', 'string', false), col('playType', 'string', false),
  col('teamId', 'bigint'), col('opponentId', 'bigint'), col('isHomeTeam', 'boolean'),
  col('homeScore', 'int', false), col('awayScore', 'int', false), col('scoringPlay', 'boolean'), col('shootingPlay', 'boolean'),
  col('scoreValue', 'int'), col('points', 'int', false), col('shotInfo_shooter_id', 'bigint'), col('shotInfo_assisted', 'boolean'),
  col('is_fga', 'boolean', false), col('is_three', 'boolean', false), col('is_fta', 'boolean', false), col('is_turnover', 'boolean', false),
  col('is_oreb', 'boolean', false), col('is_dreb', 'boolean', false), col('is_steal', 'boolean', false), col('is_block', 'boolean', false),
  col('possession_id', 'int'), col('offense_team_id', 'bigint'), col('defense_team_id', 'bigint'),
  col('possession_end', 'boolean', false), col('garbage_time', 'boolean', false),
  SEASON_KEY, DATE_KEY,
];

/**
 * Possessions from the play sequence. Plays are ordered by period, clock descending, play id. The team on offense is
 * known from what a play is (a shot, free throw, turnover or offensive rebound is the offense's; a defensive rebound,
 * steal or block belongs to the possession of the other team, which it ends or follows).
 * A possession ends on its last such play before the other team's first, or before the period ends: a turnover (with
 * its steal), a defensive rebound, a made field goal unless free throws by the same team follow at the same clock (an
 * and-one), the last free throw of a trip when made (bonus trips too), the end of a period. GOLD.md's rules, read from
 * the sequence itself, so an unlabelled change of possession (a team rebound, a violation) still ends one and a steal
 * after its turnover does not end a second. A made basket or last free throw followed by the same team's own next
 * play (the other side did nothing recorded) still ends its possession. Plays between possessions belong to the next.
 */
const ENRICHED_SQL = `
WITH base AS (
  SELECT date, id, gameId, period, secondsRemaining, clock, playType, teamId, opponentId, isHomeTeam, homeScore, awayScore,
    scoringPlay, shootingPlay, scoreValue::INTEGER AS scoreValue, shotInfo_shooter_id, shotInfo_assisted,
    row_number() OVER (PARTITION BY gameId ORDER BY period, secondsRemaining DESC, id)::INTEGER AS play_order,
    coalesce(shootingPlay AND (scoreValue = 1 OR playType ILIKE '%freethrow%'), false) AS is_fta,
    coalesce(shootingPlay AND NOT (scoreValue = 1 OR playType ILIKE '%freethrow%'), false) AS is_fga,
    coalesce(playType ILIKE '%turnover%', false) AS is_turnover,
    playType = 'Offensive Rebound' AS is_oreb,
    playType = 'Defensive Rebound' AS is_dreb,
    playType = 'Steal' AS is_steal,
    playType = 'Block Shot' AS is_block
  FROM plays
), teams AS (
  SELECT gameId, max(CASE WHEN isHomeTeam THEN teamId END) AS home_id, max(CASE WHEN NOT isHomeTeam THEN teamId END) AS away_id
  FROM base GROUP BY gameId
), trips AS (
  SELECT gameId, period, secondsRemaining, teamId, max(play_order) AS last_ft FROM base WHERE is_fta GROUP BY ALL
), sides AS (
  SELECT b.*, t.home_id, t.away_id,
    b.is_fga AND b.scoreValue = 3 AS is_three,
    CASE WHEN coalesce(b.scoringPlay, false) AND (b.is_fga OR b.is_fta) THEN b.scoreValue ELSE 0 END AS points,
    CASE WHEN b.is_fga OR b.is_fta OR b.is_turnover OR b.is_oreb THEN b.teamId WHEN b.is_dreb OR b.is_steal OR b.is_block THEN b.opponentId END AS action_offense,
    b.is_turnover OR b.is_dreb OR (b.is_fga AND coalesce(b.scoringPlay, false) AND tr.last_ft IS NULL)
      OR (b.is_fta AND coalesce(b.scoringPlay, false) AND b.play_order = tr.last_ft) AS base_end
  FROM base b JOIN teams t USING (gameId)
  LEFT JOIN trips tr ON tr.gameId = b.gameId AND tr.period = b.period AND tr.secondsRemaining = b.secondsRemaining AND tr.teamId = b.teamId
), ahead AS (
  SELECT *,
    first_value(action_offense IGNORE NULLS) OVER next_rows AS next_offense,
    first_value(CASE WHEN action_offense IS NOT NULL THEN period END IGNORE NULLS) OVER next_rows AS next_period,
    first_value(CASE WHEN action_offense IS NOT NULL THEN teamId = action_offense END IGNORE NULLS) OVER next_rows AS next_by_offense
  FROM sides WINDOW next_rows AS (PARTITION BY gameId ORDER BY play_order ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
), closed AS (
  SELECT *,
    action_offense IS NOT NULL AND (
      next_offense IS NULL OR next_offense <> action_offense OR next_period <> period
      OR (base_end AND coalesce(next_by_offense, false))
    ) AS possession_end
  FROM ahead
), numbered AS (
  SELECT *, (1 + coalesce(sum(possession_end::INTEGER) OVER (PARTITION BY gameId ORDER BY play_order ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::INTEGER AS possession_id
  FROM closed
)
SELECT date, id, gameId, play_order, period, secondsRemaining, clock, playType, teamId, opponentId, isHomeTeam, homeScore, awayScore,
  scoringPlay, shootingPlay, scoreValue, points::INTEGER AS points, shotInfo_shooter_id, shotInfo_assisted,
  is_fga, coalesce(is_three, false) AS is_three, is_fta, is_turnover, is_oreb, is_dreb, is_steal, is_block,
  possession_id, offense_team_id,
  CASE WHEN offense_team_id = home_id THEN away_id WHEN offense_team_id = away_id THEN home_id END AS defense_team_id,
  possession_end,
  period >= 2 AND ((abs(homeScore - awayScore) >= 20 AND secondsRemaining <= 600) OR (abs(homeScore - awayScore) >= 15 AND secondsRemaining <= 300)) AS garbage_time
FROM (SELECT *, first_value(action_offense IGNORE NULLS) OVER (PARTITION BY gameId, possession_id ORDER BY play_order ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS offense_team_id FROM numbered)`;

// ---------------------------------------------------------------------------------------------------------------
// Flat box scores: one row per game and team

/** Counted per team from its plays: name, expression over enriched plays. */
const COUNTS: readonly (readonly [string, string])[] = [
  ['points', 'sum(points)'],
  ['fg2m', 'count(*) FILTER (WHERE is_fga AND NOT is_three AND scoringPlay)'],
  ['fg2a', 'count(*) FILTER (WHERE is_fga AND NOT is_three)'],
  ['fg3m', 'count(*) FILTER (WHERE is_three AND scoringPlay)'],
  ['fg3a', 'count(*) FILTER (WHERE is_three)'],
  ['ftm', 'count(*) FILTER (WHERE is_fta AND scoringPlay)'],
  ['fta', 'count(*) FILTER (WHERE is_fta)'],
  ['tov', 'count(*) FILTER (WHERE is_turnover)'],
  ['oreb', 'count(*) FILTER (WHERE is_oreb)'],
  ['dreb', 'count(*) FILTER (WHERE is_dreb)'],
  ['ast', 'count(*) FILTER (WHERE is_fga AND scoringPlay AND shotInfo_assisted)'],
  ['stl', 'count(*) FILTER (WHERE is_steal)'],
  ['blk', 'count(*) FILTER (WHERE is_block)'],
];
const COUNT_NAMES = [...COUNTS.map(([n]) => n), 'fgm', 'fga', 'possessions'];

/** Rates from counts of a row (`p` = prefix of the side: '' or 'opp_'; the other side's columns by `o`). */
function rates(p: string, o: string): [string, string][] {
  const div = (num: string, den: string) => `CASE WHEN (${den}) = 0 THEN NULL ELSE (${num}) / (${den}) END`;
  return [
    [`${p}efg_pct`, div(`${p}fgm + 0.5 * ${p}fg3m`, `${p}fga`)],
    [`${p}ts_pct`, div(`${p}points`, `2 * (${p}fga + 0.44 * ${p}fta)`)],
    [`${p}ft_rate`, div(`${p}fta`, `${p}fga`)],
    [`${p}tov_rate`, div(`${p}tov`, `${p}possessions`)],
    [`${p}oreb_pct`, div(`${p}oreb`, `${p}oreb + ${o}dreb`)],
  ];
}

const FLAT_COLUMNS: ColumnSpec[] = [
  col('gameId', 'bigint', false), col('teamId', 'bigint', false), col('opponentId', 'bigint'),
  col('is_home', 'boolean'), col('is_neutral', 'boolean'), col('is_conference_game', 'boolean'), col('periods', 'int', false), col('game_minutes', 'int', false),
  ...['', 'opp_'].flatMap((p) => [
    ...COUNT_NAMES.map((n) => col(`${p}${n}`, 'int')),
    col(`${p}possessions_formula`, 'double'),
    ...rates(p, p ? '' : 'opp_').map(([n]) => col(n, 'double')),
  ]),
  col('pace', 'double'),
  SEASON_KEY, DATE_KEY,
];

function flatSql(garbageRemoved: boolean): string {
  const where = garbageRemoved ? 'WHERE NOT garbage_time' : '';
  const opp = (n: string) => `o.${n} AS opp_${n}`;
  return `
WITH team AS (
  SELECT gameId, teamId, any_value(date) AS date, any_value(opponentId) AS opponentId, bool_or(isHomeTeam) AS is_home,
    ${COUNTS.map(([n, e]) => `(${e})::INTEGER AS ${n}`).join(', ')}
  FROM plays ${where ? `${where} AND` : 'WHERE'} teamId IS NOT NULL GROUP BY gameId, teamId
), poss AS (
  SELECT gameId, offense_team_id AS teamId, count(*) FILTER (WHERE possession_end)::INTEGER AS possessions
  FROM plays ${where ? `${where} AND` : 'WHERE'} offense_team_id IS NOT NULL GROUP BY ALL
), periods AS (
  SELECT gameId, max(period)::INTEGER AS periods FROM plays GROUP BY gameId
), side AS (
  SELECT t.*, (t.fg2m + t.fg3m)::INTEGER AS fgm, (t.fg2a + t.fg3a)::INTEGER AS fga, coalesce(p.possessions, 0)::INTEGER AS possessions,
    ((t.fg2a + t.fg3a) - t.oreb + t.tov + 0.44 * t.fta)::DOUBLE AS possessions_formula
  FROM team t LEFT JOIN poss p USING (gameId, teamId)
), game AS (
  SELECT id AS gameId, neutralSite, conferenceGame FROM games
), paired AS (
  SELECT s.date, s.gameId, s.teamId, s.opponentId, s.is_home, g.neutralSite AS is_neutral, g.conferenceGame AS is_conference_game,
    pr.periods, (40 + 5 * greatest(pr.periods - 2, 0))::INTEGER AS game_minutes,
    ${COUNT_NAMES.map((n) => `s.${n}`).join(', ')}, s.possessions_formula,
    ${[...COUNT_NAMES, 'possessions_formula'].map(opp).join(', ')}
  FROM side s LEFT JOIN side o ON o.gameId = s.gameId AND o.teamId = s.opponentId
  JOIN periods pr ON pr.gameId = s.gameId LEFT JOIN game g ON g.gameId = s.gameId
)
SELECT date, gameId, teamId, opponentId, is_home, is_neutral, is_conference_game, periods, game_minutes,
  ${['', 'opp_'].map((p) => [...COUNT_NAMES.map((n) => `${p}${n}`), `${p}possessions_formula`, ...rates(p, p ? '' : 'opp_').map(([n, e]) => `(${e})::DOUBLE AS ${n}`)].join(', ')).join(',\n  ')},
  CASE WHEN opp_possessions IS NULL THEN NULL ELSE (possessions + opp_possessions) / 2.0 * 40.0 / game_minutes END AS pace
FROM paired`;
}

// ---------------------------------------------------------------------------------------------------------------
// Daily rollups: totals over each team's games strictly before the partition's game day

const ROLLUP_SUMS = [...COUNT_NAMES, 'game_minutes'];
const ROLLUP_COLUMNS: ColumnSpec[] = [
  col('teamId', 'bigint', false), col('games', 'int', false), col('wins', 'int', false), col('losses', 'int', false),
  ...ROLLUP_SUMS.map((n) => col(n, 'int')),
  ...COUNT_NAMES.map((n) => col(`opp_${n}`, 'int')),
  ...rates('', 'opp_').map(([n]) => col(n, 'double')),
  ...rates('opp_', '').map(([n]) => col(n, 'double')),
  col('pace', 'double'), col('ppg', 'double'), col('opp_ppg', 'double'),
  col('off_eff', 'double'), col('def_eff', 'double'), col('net_eff', 'double'),
  SEASON_KEY, DATE_KEY,
];

/**
 * A game's points for a side: plain, or corrected for home court (`_adj`): the home team's points lose hca per 100
 * possessions and the visitor's gain as much, nothing at a neutral site. In decimals, so totals are exact whatever
 * order they are added in: a day's rollup is the same bytes built alone (a night) or with the season (a backfill).
 */
function rollupGames(hca?: number): string {
  const adjust = (side: '' | 'opp_') => hca === undefined ? `${side}points`
    : `${side}points::DECIMAL(18,6) ${side ? '+' : '-'} CASE WHEN is_neutral OR is_home IS NULL THEN 0 WHEN is_home THEN 1 ELSE -1 END * ${(hca / 100).toFixed(6)}::DECIMAL(18,6) * ${side}possessions`;
  // Wins and losses from the score as played; only the efficiencies are corrected for home court.
  return `games AS (
  SELECT * REPLACE ((${adjust('')}) AS points, (${adjust('opp_')}) AS opp_points), points > opp_points AS won, points < opp_points AS lost
  FROM flat WHERE opp_points IS NOT NULL
)`;
}

/** What a rollup adds up over games, as (name, aggregate): counts, integer and decimal sums, all exact. */
const ROLLUP_TOTALS: readonly (readonly [string, string])[] = [
  ['games', 'count(*)'], ['wins', 'count(*) FILTER (WHERE won)'], ['losses', 'count(*) FILTER (WHERE lost)'],
  ...ROLLUP_SUMS.map((n) => [n, `sum(${n})`] as const), ...COUNT_NAMES.map((n) => [`opp_${n}`, `sum(opp_${n})`] as const),
  ['both_possessions', 'sum(possessions + opp_possessions)'],
];

/** The rollup's columns from the totals (`totals` relation, one row per team). */
function rollupProjection(): string {
  const div = (num: string, den: string) => `CASE WHEN (${den}) = 0 THEN NULL ELSE (${num}) / (${den}) END`;
  return `SELECT teamId, ${['games', 'wins', 'losses', ...ROLLUP_SUMS, ...COUNT_NAMES.map((n) => `opp_${n}`)].map((n) => `round(${n})::INTEGER AS ${n}`).join(', ')},
  ${[...rates('', 'opp_'), ...rates('opp_', '')].map(([n, e]) => `(${e})::DOUBLE AS ${n}`).join(', ')},
  ${div('both_possessions / 2 * 40.0', 'game_minutes')}::DOUBLE AS pace,
  (points / games)::DOUBLE AS ppg, (opp_points / games)::DOUBLE AS opp_ppg,
  ${div('100.0 * points', 'possessions')}::DOUBLE AS off_eff,
  ${div('100.0 * opp_points', 'opp_possessions')}::DOUBLE AS def_eff,
  (${div('100.0 * points', 'possessions')} - ${div('100.0 * opp_points', 'opp_possessions')})::DOUBLE AS net_eff`;
}

/** A day's rollup: `flat` holds exactly the season's earlier game days. */
export function rollupSql(hca?: number): string {
  return `
WITH ${rollupGames(hca)}, totals AS (
  SELECT teamId, ${ROLLUP_TOTALS.map(([n, e]) => `${e} AS ${n}`).join(', ')} FROM games GROUP BY teamId
)
${rollupProjection()}
FROM totals`;
}

/**
 * Every day of a step at once: each team's totals per game day, running totals by date, and for each day of the step
 * each team's running totals as of its last game day strictly before it (an ASOF join): what `rollupSql` gives day
 * by day, in one query.
 */
function rollupStepSql(hca?: number): string {
  return `
WITH ${rollupGames(hca)}, per_day AS (
  SELECT teamId, date, ${ROLLUP_TOTALS.map(([n, e]) => `${e} AS ${n}`).join(', ')} FROM games GROUP BY teamId, date
), running AS (
  SELECT teamId, date, ${ROLLUP_TOTALS.map(([n]) => `sum(${n}) OVER (PARTITION BY teamId ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${n}`).join(', ')}
  FROM per_day
), teams AS (SELECT DISTINCT teamId FROM per_day),
totals AS (
  SELECT s.date, r.* EXCLUDE (date) FROM step_partitions s CROSS JOIN teams t ASOF JOIN running r ON r.teamId = t.teamId AND r.date < s.date
)
${rollupProjection()}, date
FROM totals`;
}

// ---------------------------------------------------------------------------------------------------------------
// Final games without plays: the box score's figures, for the ratings (GOLD.md: every final Division I game counts)

const WITHOUT_PLAYS_COLUMNS: ColumnSpec[] = [
  col('gameId', 'bigint', false), col('teamId', 'bigint', false), col('opponentId', 'bigint'),
  col('is_home', 'boolean'), col('is_neutral', 'boolean'), col('is_conference_game', 'boolean'), col('has_box_score', 'boolean', false),
  col('game_minutes', 'int'), col('points', 'int'), col('opp_points', 'int'), col('possessions', 'double'), col('opp_possessions', 'double'),
  SEASON_KEY, DATE_KEY,
];

/** Possessions by formula from a box score's side (`teamStats` or `opponentStats`). */
const formulaPossessions = (side: string) =>
  `(b.${side}_fieldGoals_attempted - b.${side}_rebounds_offensive + b.${side}_turnovers_total + 0.44 * b.${side}_freeThrows_attempted)::DOUBLE`;

/**
 * The final games of the days `days` selects (a condition on fct_games' `date`) that have no plays, both sides, with
 * the box score's points and possessions by formula where the game has a box score (the score from the games table
 * and no possessions where it has not).
 */
function withoutPlaysSql(days: string): string {
  return `
WITH final AS (
  SELECT g.id AS gameId, g.date, g.homeTeamId, g.awayTeamId, g.neutralSite, g.conferenceGame, g.homePoints, g.awayPoints
  FROM games g ANTI JOIN flat f ON f.gameId = g.id
  WHERE g.status = 'final' AND g.${days}
), sides AS (
  SELECT gameId, date, homeTeamId AS teamId, awayTeamId AS opponentId, true AS is_home, neutralSite, conferenceGame, homePoints AS points, awayPoints AS opp_points FROM final
  UNION ALL
  SELECT gameId, date, awayTeamId, homeTeamId, false, neutralSite, conferenceGame, awayPoints, homePoints FROM final
)
SELECT s.date, s.gameId::BIGINT AS gameId, s.teamId::BIGINT AS teamId, s.opponentId::BIGINT AS opponentId, s.is_home,
  s.neutralSite AS is_neutral, s.conferenceGame AS is_conference_game, b.gameId IS NOT NULL AS has_box_score,
  coalesce(b.gameMinutes, 40)::INTEGER AS game_minutes,
  coalesce(b.teamStats_points_total, s.points)::INTEGER AS points, coalesce(b.opponentStats_points_total, s.opp_points)::INTEGER AS opp_points,
  ${formulaPossessions('teamStats')} AS possessions, ${formulaPossessions('opponentStats')} AS opp_possessions
FROM sides s LEFT JOIN boxes b ON b.gameId = s.gameId AND b.teamId = s.teamId`;
}

export function pbpAssets(resources: ProjectResources, upstream: (key: string) => AssetSpec | undefined): AssetDefinition[] {
  const storage = resources.storage;
  const defined: AssetDefinition[] = [];
  const lookup = (key: string) => defined.find((d) => d.key === key) ?? upstream(key);
  const add = (asset: AssetDefinition) => (defined.push(asset), asset);
  add(defineSqlAsset(storage, {
    key: 'silver/fct_pbp_plays_enriched',
    description: 'Plays with possessions: possession_id, offense and defense team, possession_end, garbage_time (one row per play, by game day).',
    partitions: DAY, batch: BATCH,
    inputs: { plays: 'silver/fct_plays' },
    sql: ENRICHED_SQL, chunk: CHUNK,
    schema: { columns: ENRICHED_COLUMNS, primaryKey: ['id', 'season', 'date'] },
  }, lookup));
  for (const garbageRemoved of [false, true]) {
    const suffix = garbageRemoved ? '_garbage_removed' : '';
    add(defineSqlAsset(storage, {
      key: `silver/fct_pbp_game_teams_flat${suffix}`,
      description: `Box scores counted from the plays${garbageRemoved ? ', garbage time left out' : ''}: one row per game and team, with the opponent's, possessions (counted and by formula), pace and shooting rates.`,
      partitions: DAY, batch: BATCH,
      // The day's games give the neutral-site and conference flags only; a new game elsewhere in the season must not
      // restale every day (a changed game of this day changes its plays too).
      inputs: { plays: 'silver/fct_pbp_plays_enriched', games: { key: 'silver/fct_games', mapping: 'season_to_date', affectsStaleness: false } },
      sql: flatSql(garbageRemoved), chunk: CHUNK,
      schema: { columns: FLAT_COLUMNS, primaryKey: ['gameId', 'teamId', 'season', 'date'] },
      checks: [{
        name: 'two_teams_per_game', description: 'Every game has exactly two team rows, each the other\'s opponent.', blocking: false,
        sql: `SELECT count(*) = 0 AS passed, count(*) || ' game(s) without two rows' AS detail FROM (SELECT gameId FROM out GROUP BY gameId HAVING count(*) <> 2)`,
      }],
    }, lookup));
  }
  add(defineSqlAsset(storage, {
    key: 'silver/fct_game_teams_without_plays',
    description: 'Final games without play-by-play, by game day: one row per game and team from the team box score, possessions by formula (FGA − OREB + TOV + 0.44·FTA), so the ratings count every final game; a game without a box score either has has_box_score false.',
    partitions: DAY, batch: BATCH,
    // The season's games and box scores, read for the step's days only; a change elsewhere in the season rebuilds the
    // days, which come out the same bytes, so nothing downstream goes stale.
    inputs: {
      games: { key: 'silver/fct_games', mapping: 'season_to_date' }, boxes: { key: 'silver/fct_game_teams', mapping: 'season_to_date' },
      flat: 'silver/fct_pbp_game_teams_flat',
    },
    sql: withoutPlaysSql('date = getvariable(\'date\')'), stepSql: withoutPlaysSql('date IN (SELECT date FROM step_partitions)'),
    schema: { columns: WITHOUT_PLAYS_COLUMNS, primaryKey: ['gameId', 'teamId', 'season', 'date'] },
  }, lookup));
  const rollups: [string, string, number | undefined][] = [
    ['', 'silver/fct_pbp_game_teams_flat', undefined],
    ['_adj', 'silver/fct_pbp_game_teams_flat', fixedHca(resources.gold ?? DEFAULT_GOLD)],
    ['_garbage_removed', 'silver/fct_pbp_game_teams_flat_garbage_removed', undefined],
  ];
  for (const [suffix, from, hca] of rollups) {
    add(defineSqlAsset(storage, {
      key: `silver/fct_pbp_team_daily_rollup${suffix}`,
      description: `Each team's totals over its games strictly before each game day (as of that morning)${hca !== undefined ? `, points corrected for home court (${hca} per 100 possessions)` : ''}${suffix === '_garbage_removed' ? ', garbage time left out' : ''}: the Four Factors for and against, pace, points per game and per possession.`,
      partitions: DAY, batch: BATCH,
      inputs: { flat: { key: from, mapping: 'earlier_dates' } },
      sql: rollupSql(hca), stepSql: rollupStepSql(hca),
      schema: { columns: ROLLUP_COLUMNS, primaryKey: ['teamId', 'season', 'date'] },
    }, lookup));
  }
  return defined;
}
