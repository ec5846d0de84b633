/** Query handling shared by the simulator's routes: name matching and the filters of the game endpoints. */
import type { GameInfo } from 'cbbd';
import type { Context } from 'hono';
import type { SimWorld } from './world.ts';

export function sameText(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

/** The filters every game endpoint shares: season, seasonType, status, date range, team, conference, tournament. */
export function filterGames(c: Context, world: SimWorld): GameInfo[] | Response {
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
  // Without a season, the real API needs a date range to bound the answer; derive the seasons it spans.
  const seasons = season !== undefined ? [season] : seasonsSpanned(startMs, endMs);
  if (!seasons.length) return c.json({ message: 'Either season or a date range is required' }, 400);
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

function seasonsSpanned(startMs: number | undefined, endMs: number | undefined): number[] {
  if (startMs === undefined || endMs === undefined) return [];
  const first = new Date(startMs).getUTCFullYear();
  const last = new Date(endMs).getUTCFullYear() + 1;
  const out: number[] = [];
  for (let s = first; s <= last && out.length < 30; s++) out.push(s);
  return out;
}

