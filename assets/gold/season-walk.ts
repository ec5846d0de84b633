/**
 * How a season's rating dates are solved (gold/team_adjusted_efficiencies): in order, each date warm-started from the
 * previous one, so a date's ratings never depend on which dates a step held. Its source text, like the solver's, is
 * in the tables' code version (adjusted-efficiencies.ts), so the build ships it beside the compiled module.
 */
import { isoDateToDay, seasonDateKey } from '../../src/core/partitions.ts';
import type { DEFAULT_GOLD } from '../resources.ts';
import { barthag, solve, type Ratings, type TeamGame } from './solver.ts';

export interface GameRow { teamId: number; opponentId: number; points: number; opp_points: number; possessions: number; opp_possessions: number; game_minutes: number; venue: number; date: string }
export interface TeamRow { teamId: number; team: string | null; conference: string | null }

/** Solve every date of the walk in order, warm-starting each from the previous; rows for the wanted dates. */
export function solveSeason(
  season: number, walk: readonly string[], wanted: ReadonlySet<string>, teams: readonly TeamRow[], games: readonly GameRow[],
  params: typeof DEFAULT_GOLD,
): { rows: Record<string, unknown>[]; stats: Map<string, { iterations: number; finalChange: number; games: number; league: number }> } {
  const index = new Map(teams.map((t, i) => [t.teamId, i]));
  const all: TeamGame[] = [];
  const gameDate: string[] = [];
  for (const g of games) {
    const team = index.get(g.teamId);
    const opponent = index.get(g.opponentId);
    if (team === undefined || opponent === undefined) continue;
    all.push({
      team, opponent, points: g.points, oppPoints: g.opp_points, possessions: g.possessions, oppPossessions: g.opp_possessions,
      minutes: g.game_minutes, venue: Math.sign(g.venue) as 1 | -1 | 0, day: isoDateToDay(g.date)!,
    });
    gameDate.push(g.date);
  }
  const rows: Record<string, unknown>[] = [];
  const stats = new Map<string, { iterations: number; finalChange: number; games: number; league: number }>();
  let previous: Ratings | undefined;
  let used = 0;
  for (const date of walk) {
    // Games are ordered by date: those before this rating date are a prefix.
    while (used < all.length && gameDate[used]! < date) used++;
    const solution = solve(teams.length, all.slice(0, used), params, isoDateToDay(date)!, previous);
    previous = solution;
    if (!wanted.has(date)) continue;
    stats.set(date, { iterations: solution.iterations, finalChange: solution.finalChange, games: used / 2, league: solution.league });
    const partition = seasonDateKey(season, date);
    teams.forEach((t, i) => {
      if (!solution.games[i]) return;
      const oe = solution.adjOe[i]!;
      const de = solution.adjDe[i]!;
      rows.push({
        teamId: t.teamId, rating_date: date, team: t.team, conference: t.conference,
        adj_oe: oe, adj_de: de, adj_tempo: finite(solution.adjTempo[i]!), barthag: barthag(oe, de), adj_margin: oe - de,
        games_played: solution.games[i], raw_oe: solution.rawOe[i], raw_de: solution.rawDe[i],
        sos_oe: solution.sosOe[i], sos_de: solution.sosDe[i], srs: solution.srs[i], __partition: partition,
      });
    });
  }
  return { rows, stats };
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);
