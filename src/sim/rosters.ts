/**
 * Rosters: thirteen players a team and season. A player stays four seasons in the same roster slot (class = season
 * and slot mod 4), so athlete ids carry across seasons the way real ones do.
 */
import { personName } from './names.ts';
import { Random } from './random.ts';

export interface SimPlayer {
  readonly id: number;
  readonly name: string;
  readonly position: 'G' | 'F' | 'C';
  readonly jersey: string;
  readonly startSeason: number;
  /** Share of the team's shots this player takes, relative to teammates on the floor. */
  readonly usage: number;
  /** Tendency to shoot threes (0..1), and shooting skills as adjustments to the league rates. */
  readonly threeRate: number;
  readonly shooting: number;
  readonly freeThrow: number;
  readonly rebounding: number;
  /** Relative claim on minutes: starters first. */
  readonly minutes: number;
}

const POSITIONS: SimPlayer['position'][] = ['G', 'G', 'F', 'F', 'C', 'G', 'F', 'C', 'G', 'F', 'G', 'F', 'C'];

export function rosterOf(seed: number, teamId: number, season: number): SimPlayer[] {
  return POSITIONS.map((position, slot) => {
    const year = (season + slot) % 4;
    const startSeason = season - year;
    const r = Random.derive(seed, 'player', teamId, startSeason, slot);
    const starter = slot < 5;
    return {
      id: teamId * 10_000 + (startSeason % 100) * 100 + slot,
      name: personName(r),
      position,
      jersey: String(r.int(0, 35)),
      startSeason,
      usage: Math.max(0.4, r.normal(starter ? 1.15 : 0.85, 0.2)),
      threeRate: Math.min(0.8, Math.max(0.02, r.normal(position === 'G' ? 0.5 : position === 'F' ? 0.35 : 0.1, 0.12))),
      shooting: r.normal(0, 0.03),
      freeThrow: Math.min(0.9, Math.max(0.5, r.normal(position === 'C' ? 0.64 : 0.73, 0.06))),
      rebounding: Math.max(0.3, r.normal(position === 'C' ? 1.6 : position === 'F' ? 1.2 : 0.7, 0.2)),
      minutes: starter ? 30 + r.normal(0, 3) : slot < 9 ? 14 + r.normal(0, 3) : 3,
    };
  });
}
