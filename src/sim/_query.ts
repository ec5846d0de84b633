/**
 * Query handling shared by the simulator's routes: name matching, the filters of the game endpoints, and what an
 * absent optional parameter means. The real API ignores a parameter it does not know (it answered
 * `/draft/picks?season=2026` with 200: `season` is not a parameter there), and never requires one its spec calls
 * optional: without a season the game and statistics endpoints answer the current season, and without a year the
 * draft and recruiting endpoints answer every year they have.
 */
import type { GameInfo } from 'cbbd';
import type { Context } from 'hono';
import type { SimWorld } from './world.ts';

export function sameText(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

/** The filters every game endpoint shares: season, seasonType, status, date range, team, conference, tournament. */
/** The season in progress (or the last one, in the off-season): a season is named after the year it ends in. */
export function currentSeason(now: Date): number {
  return now.getUTCFullYear() + (now.getUTCMonth() >= 9 ? 1 : 0);
}

/** The years the draft and recruiting endpoints answer when no year is asked for: the last six. */
export function recentYears(now: Date): number[] {
  const last = now.getUTCFullYear();
  return Array.from({ length: 6 }, (_, i) => last - 5 + i);
}

export function filterGames(c: Context, world: SimWorld, now: Date): GameInfo[] | Response {
  const q = (name: string) => c.req.query(name);
  const seasonText = q('season');
  const start = q('startDateRange');
  const end = q('endDateRange');
  let season: number | undefined;
  if (seasonText !== undefined) {
    season = Number(seasonText);
    if (!Number.isInteger(season)) return c.json({ message: `Invalid season: ${seasonText}` }, 400);
  }
  const startMs = start === undefined ? undefined : Date.parse(start);
  const endMs = end === undefined ? undefined : Date.parse(end);
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) return c.json({ message: 'Invalid date range' }, 400);
  // Without a season, the seasons a date range spans; without either, the current season (its first games, capped).
  const seasons = season !== undefined ? [season]
    : startMs === undefined && endMs === undefined ? [currentSeason(now)]
    : seasonsSpanned(startMs ?? endMs!, endMs ?? now.getTime());
  const seasonType = q('seasonType');
  const status = q('status');
  const team = q('team');
  const conference = q('conference');
  const tournament = q('tournament');
  return seasons.flatMap((s) => world.gamesAsOf(s)).filter((g) => {
    const t = Date.parse(g.startDate);
    if (startMs !== undefined && t < startMs) return false;
    if (endMs !== undefined && t > endMs) return false;
    if (seasonType !== undefined && g.seasonType !== seasonType) return false;
    if (status !== undefined && g.status !== status) return false;
    if (team !== undefined && !sameText(g.homeTeam, team) && !sameText(g.awayTeam, team)) return false;
    if (conference !== undefined && !sameText(g.homeConference, conference) && !sameText(g.awayConference, conference)) return false;
    if (tournament !== undefined && !sameText(g.tournament, tournament)) return false;
    return true;
  });
}

function seasonsSpanned(startMs: number, endMs: number): number[] {
  const first = new Date(startMs).getUTCFullYear();
  const last = new Date(endMs).getUTCFullYear() + 1;
  const out: number[] = [];
  for (let s = first; s <= last && out.length < 30; s++) out.push(s);
  return out;
}

