/**
 * How a season's rating dates are solved (gold/team_adjusted_efficiencies): in order, each date warm-started from the
 * previous one, so a date's ratings never depend on which dates a step held; how a season's preseason prior follows
 * from the seasons before it (gold/team_preseason_prior); and the least-squares margin fit walked over the same dates
 * (gold/ratings_backtest_games). Its source text, like the solver's, is in those tables' code versions, so the build
 * ships it beside the compiled module.
 */
import { dayToIsoDate, isoDateToDay, seasonDateKey } from '../../src/core/partitions.ts';
import { barthag, masseyFit, masseyMargin, solve, type MarginGame, type MasseyFit, type SeasonPrior, type SolverParameters, type Solution, type TeamGame } from './solver.ts';

export interface GameRow {
  teamId: number; opponentId: number; points: number; opp_points: number; possessions: number; opp_possessions: number; game_minutes: number;
  venue: number; date: string; box_score?: boolean | null;
  /** Free throws made and attempted, this side's and its opponent's (null for a game from the box score). */
  ftm?: number | null; fta?: number | null; opp_ftm?: number | null; opp_fta?: number | null;
}
export interface TeamRow { teamId: number; team: string | null; conference: string | null }
/** A team's preseason prior as stored (gold/team_preseason_prior): in last season's league units (null: none). */
export interface PriorRow { teamId: number; prior_adj_oe: number | null; prior_adj_de: number | null; prior_adj_tempo: number | null; league_eff: number | null; league_tempo: number | null }

export interface DateStats { iterations: number; finalChange: number; games: number; boxScoreGames: number; league: number; hca: number }

const isCount = (x: unknown) => x !== null && x !== undefined && Number.isFinite(Number(x)) && Number(x) >= 0;

/** The solver's games from the stored rows: teams outside `index` (not Division I that season) left out. */
function teamGames(index: ReadonlyMap<number, number>, games: readonly GameRow[]): { all: TeamGame[]; dates: string[] } {
  const all: TeamGame[] = [];
  const dates: string[] = [];
  for (const g of games) {
    const team = index.get(g.teamId);
    const opponent = index.get(g.opponentId);
    if (team === undefined || opponent === undefined) continue;
    all.push({
      team, opponent, points: g.points, oppPoints: g.opp_points, possessions: g.possessions, oppPossessions: g.opp_possessions,
      minutes: g.game_minutes, venue: Math.sign(g.venue) as 1 | -1 | 0, day: isoDateToDay(g.date)!, boxScore: Boolean(g.box_score),
      ...(isCount(g.ftm) && isCount(g.fta) && isCount(g.opp_ftm) && isCount(g.opp_fta)
        && { freeThrows: { made: Number(g.ftm), attempted: Number(g.fta), oppMade: Number(g.opp_ftm), oppAttempted: Number(g.opp_fta) } }),
    });
    dates.push(g.date);
  }
  return { all, dates };
}

/** The prior of a season's teams, in the solver's terms (relative to last season's league), from its stored rows. */
export function seasonPrior(teams: readonly TeamRow[], all: readonly PriorRow[]): SeasonPrior | undefined {
  const rows = all.filter((r) => r.prior_adj_oe !== null && r.league_eff !== null);
  if (!rows.length) return undefined;
  const byTeam = new Map(rows.map((r) => [Number(r.teamId), r]));
  const first = rows[0]!;
  return {
    league: Number(first.league_eff),
    leagueTempo: Number(first.league_tempo),
    teams: teams.map((t) => {
      const r = byTeam.get(t.teamId);
      return r && { oe: Number(r.prior_adj_oe) / Number(r.league_eff), de: Number(r.prior_adj_de) / Number(r.league_eff), tempo: Number(r.prior_adj_tempo) / Number(r.league_tempo) };
    }),
  };
}

/** Solve every date of the walk in order, warm-starting each from the previous; rows for the wanted dates. */
export function solveSeason(
  season: number, walk: readonly string[], wanted: ReadonlySet<string>, teams: readonly TeamRow[], games: readonly GameRow[],
  params: SolverParameters, prior?: SeasonPrior,
): { rows: Record<string, unknown>[]; stats: Map<string, DateStats> } {
  const index = new Map(teams.map((t, i) => [t.teamId, i]));
  const { all, dates: gameDate } = teamGames(index, games);
  const rows: Record<string, unknown>[] = [];
  const stats = new Map<string, DateStats>();
  let previous: Solution | undefined;
  let used = 0;
  for (const date of walk) {
    // Games are ordered by date: those before this rating date are a prefix.
    while (used < all.length && gameDate[used]! < date) used++;
    const solution = solve(teams.length, all.slice(0, used), params, isoDateToDay(date)!, previous, prior);
    previous = solution;
    if (!wanted.has(date)) continue;
    let boxScoreGames = 0;
    for (let i = 0; i < used; i++) if (all[i]!.boxScore) boxScoreGames++;
    stats.set(date, { iterations: solution.iterations, finalChange: solution.finalChange, games: used / 2, boxScoreGames: boxScoreGames / 2, league: solution.league, hca: solution.hca });
    const partition = seasonDateKey(season, date);
    teams.forEach((t, i) => {
      if (!solution.rated[i]) return;
      const oe = solution.adjOe[i]!;
      const de = solution.adjDe[i]!;
      rows.push({
        teamId: t.teamId, rating_date: date, team: t.team, conference: t.conference,
        adj_oe: oe, adj_de: de, adj_tempo: finite(solution.adjTempo[i]!), barthag: barthag(oe, de), adj_margin: oe - de,
        games_played: solution.games[i], games_box_score: solution.boxScoreGames[i],
        raw_oe: finite(solution.rawOe[i]!), raw_de: finite(solution.rawDe[i]!), sos_oe: finite(solution.sosOe[i]!), sos_de: finite(solution.sosDe[i]!),
        srs: finite(solution.srs[i]!), hca: solution.hca, league_eff: solution.league, league_tempo: solution.leagueTempo, __partition: partition,
      });
    });
  }
  return { rows, stats };
}

/**
 * How many seasons before a season its prior's chain reads: the prior of season S is S − 1's final rating, S − 1
 * solved with its own prior from S − 2's final, and so on back to season S − PRIOR_CHAIN_SEASONS, solved without a
 * prior. Each link back passes on about a quarter of a difference (docs/gold.md: a chain of two instead of three moves
 * a prior's adj_margin by about 0.25 RMS), so three is close to a chain from the first season ever; and the night that
 * adds a game day solves this many finals, however many seasons the lakehouse keeps.
 */
export const PRIOR_CHAIN_SEASONS = 3;

/**
 * The preseason prior of every season asked for, from the seasons before it: walking the seasons in order from
 * PRIOR_CHAIN_SEASONS before it (or the first that has games), each season's final rating (every game of the season,
 * with its own prior) is regressed toward the league average and becomes the next season's prior. A team without
 * last season's rating starts at its conference's mean prior (this season's conference), or at the league average.
 * A season whose previous season has no games gets none: its teams are listed with `prior_source` 'none'.
 */
export function priorsOf(
  seasons: readonly { season: number; teams: readonly TeamRow[]; games: readonly GameRow[] }[], wanted: ReadonlySet<number>, params: SolverParameters,
  chain = PRIOR_CHAIN_SEASONS,
): Map<number, Record<string, unknown>[]> {
  const out = new Map<number, Record<string, unknown>[]>();
  const bySeason = new Map(seasons.map((s) => [s.season, s]));
  for (const season of wanted) {
    const own = bySeason.get(season);
    if (!own) {
      out.set(season, []);
      continue;
    }
    let previous: { season: number; teams: readonly TeamRow[]; solution: Solution } | undefined;
    for (let year = season - chain; year < season; year++) {
      const s = bySeason.get(year);
      if (!s || !s.games.length) {
        previous = undefined;
        continue;
      }
      const priorRows = previous && previous.season === year - 1 ? regress(previous, s.teams, params) : none(s.teams);
      const index = new Map(s.teams.map((t, i) => [t.teamId, i]));
      const { all, dates } = teamGames(index, s.games);
      const ratingDay = isoDateToDay(dates.at(-1) ?? `${year}-04-30`)! + 1;
      const prior = seasonPrior(s.teams, priorRows as unknown as PriorRow[]);
      previous = { season: year, teams: s.teams, solution: solve(s.teams.length, all, params, ratingDay, undefined, prior) };
    }
    out.set(season, previous && previous.season === season - 1 ? regress(previous, own.teams, params) : none(own.teams));
  }
  return out;
}

/** A season without a previous one in the lakehouse: every team listed, without a prior (`prior_source` 'none'). */
function none(teams: readonly TeamRow[]): Record<string, unknown>[] {
  return teams.map((t) => ({
    teamId: t.teamId, team: t.team, conference: t.conference, previous_season: null, prior_source: 'none',
    previous_adj_oe: null, previous_adj_de: null, previous_adj_tempo: null,
    prior_adj_oe: null, prior_adj_de: null, prior_adj_margin: null, prior_adj_tempo: null, league_eff: null, league_tempo: null,
  }));
}

function regress(previous: { season: number; teams: readonly TeamRow[]; solution: Solution }, teams: readonly TeamRow[], params: SolverParameters): Record<string, unknown>[] {
  const { solution } = previous;
  const r = params.priorRegression;
  const league = solution.league;
  const leagueTempo = solution.leagueTempo;
  const last = new Map<number, { oe: number; de: number; tempo: number }>();
  previous.teams.forEach((t, i) => {
    if (!solution.games[i]) return;
    last.set(t.teamId, { oe: solution.adjOe[i]!, de: solution.adjDe[i]!, tempo: solution.adjTempo[i]! });
  });
  const toward = (x: number, mean: number) => mean + r * (x - mean);
  // With priorConferenceRegression, a team's distance from the league splits in two: its conference's mean distance
  // (last season's ratings of this season's members), regressed by that share, and its own distance from that mean,
  // regressed by priorRegression.
  const rc = params.priorConferenceRegression;
  const members = new Map<string, { oe: number; de: number; n: number }>();
  if (rc !== undefined) {
    for (const t of teams) {
      const l = last.get(t.teamId);
      if (!l || t.conference === null) continue;
      const m = members.get(t.conference) ?? { oe: 0, de: 0, n: 0 };
      members.set(t.conference, { oe: m.oe + l.oe, de: m.de + l.de, n: m.n + 1 });
    }
  }
  const twoLevel = (x: number, conferenceMean: number) => league + rc! * (conferenceMean - league) + r * (x - conferenceMean);
  const own = teams.map((t) => {
    const l = last.get(t.teamId);
    const m = rc !== undefined && t.conference !== null ? members.get(t.conference) : undefined;
    if (l && m) return { oe: twoLevel(l.oe, m.oe / m.n), de: twoLevel(l.de, m.de / m.n), tempo: toward(l.tempo, leagueTempo), last: l };
    return l && { oe: toward(l.oe, league), de: toward(l.de, league), tempo: toward(l.tempo, leagueTempo), last: l };
  });
  // Conference means of this season's conferences, over the teams that have last season's rating.
  const conference = new Map<string, { oe: number; de: number; tempo: number; n: number }>();
  teams.forEach((t, i) => {
    const p = own[i];
    if (!p || t.conference === null) return;
    const c = conference.get(t.conference) ?? { oe: 0, de: 0, tempo: 0, n: 0 };
    conference.set(t.conference, { oe: c.oe + p.oe, de: c.de + p.de, tempo: c.tempo + p.tempo, n: c.n + 1 });
  });
  return teams.map((t, i) => {
    const p = own[i];
    const c = t.conference === null ? undefined : conference.get(t.conference);
    const [oe, de, tempo, source] = p ? [p.oe, p.de, p.tempo, 'previous_season']
      : c ? [c.oe / c.n, c.de / c.n, c.tempo / c.n, 'conference_mean'] : [league, league, leagueTempo, 'league_average'];
    return {
      teamId: t.teamId, team: t.team, conference: t.conference, previous_season: previous.season, prior_source: source,
      previous_adj_oe: p?.last.oe ?? null, previous_adj_de: p?.last.de ?? null, previous_adj_tempo: p?.last.tempo ?? null,
      prior_adj_oe: oe, prior_adj_de: de, prior_adj_margin: oe - de, prior_adj_tempo: tempo, league_eff: league, league_tempo: leagueTempo,
    };
  });
}

/** A final game for the least-squares margin fit. */
export interface ResultRow { gameId: number; date: string; homeTeamId: number; awayTeamId: number; neutral: boolean; margin: number }

/**
 * The least-squares margin fit's pre-game prediction of every game: for a game of day D, fitted on the games before
 * D (each date warm-started from the previous one). Teams outside `teamIds` are left out of the fit.
 */
export function masseyPredictions(teamIds: readonly number[], games: readonly ResultRow[]): Map<number, number> {
  const index = new Map(teamIds.map((t, i) => [t, i]));
  const known = games.filter((g) => index.has(g.homeTeamId) && index.has(g.awayTeamId)).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.gameId - b.gameId));
  const margins: MarginGame[] = known.map((g) => ({ home: index.get(g.homeTeamId)!, away: index.get(g.awayTeamId)!, neutral: g.neutral, margin: g.margin }));
  const out = new Map<number, number>();
  let fit: MasseyFit | undefined;
  let used = 0;
  let fitted = '';
  for (const [i, g] of known.entries()) {
    if (g.date !== fitted) {
      while (used < known.length && known[used]!.date < g.date) used++;
      fit = masseyFit(teamIds.length, margins.slice(0, used), fit);
      fitted = g.date;
    }
    out.set(g.gameId, masseyMargin(fit!, margins[i]!.home, margins[i]!.away, g.neutral));
  }
  return out;
}

/** The rating dates of a season: its game days, and the day after the last one (when `inWindow` allows it). */
export function ratingDates(gameDays: readonly string[], inWindow: (date: string) => boolean): string[] {
  const days = [...new Set(gameDays)].sort();
  if (!days.length) return days;
  const after = dayToIsoDate(isoDateToDay(days.at(-1)!)! + 1);
  return inWindow(after) ? [...days, after] : days;
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);
