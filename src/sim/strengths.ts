/**
 * Team strengths spread like real Division I's: conferences in tiers (a few power conferences well above the rest, a
 * long tail of low-major ones below), programs that stay good or bad for years, and a season's form that persists
 * from one year to the next and regresses. Net strength comes out with an SD near 11 points per 100 possessions,
 * from about −30 to +35, like published adjusted efficiency margins.
 * Every figure is a pure function of (seed, team, season): a season needs no earlier season to be generated first.
 */
import { Random } from './random.ts';

/** Latent strengths of one team in one season: points per 100 possessions above average, possessions per 40. */
export interface TeamStrength {
  readonly teamId: number;
  readonly team: string;
  /** Points scored per 100 possessions above an average Division I offense against an average defense. */
  readonly offense: number;
  /** Points allowed per 100 possessions *fewer* than an average defense allows (positive = better defense). */
  readonly defense: number;
  /** offense + defense: the margin per 100 possessions against an average Division I team on a neutral court. */
  readonly net: number;
  readonly tempo: number;
}

/**
 * Home advantage in points, for a game on the home team's court (0 on a neutral one). Rating sites put it at about
 * 3.5 for recent seasons, and it gives the home team about 60% of games between Division I teams, as real ones win.
 */
export const HOME_POINTS = 3.5;

/**
 * Mean strength of each conference tier, best first, with the share of conferences in it: about six power
 * conferences, a few strong mid-majors, then the mid- and low-majors that are most of Division I.
 */
const TIERS: readonly { readonly mean: number; readonly share: number }[] = [
  { mean: 14, share: 0.19 },
  { mean: 6, share: 0.16 },
  { mean: -1, share: 0.31 },
  { mean: -9, share: 0.34 },
];
/** How far a conference strays from its tier, and a program from its conference (both persistent). */
const CONFERENCE_SD = 2;
const PROGRAM_SD = 4;
/** A season's form: SD and how much of last season's form carries into this one (the rest regresses). */
const FORM_SD = 6;
const FORM_CARRY = 0.4;
/** Lower-division teams against Division I: about 24 points per 100 possessions worse than an average D-I team. */
const LOWER_DIVISION_QUALITY = -24;

/** The quality of each conference, strongest tier first in the order of `count` conferences, from a world's stream. */
export function conferenceQualities(random: Random, count: number): number[] {
  const out: number[] = [];
  for (const tier of TIERS) {
    const n = tier === TIERS.at(-1) ? count - out.length : Math.max(1, Math.round(tier.share * count));
    for (let i = 0; i < n && out.length < count; i++) out.push(tier.mean + random.normal(0, CONFERENCE_SD));
  }
  return out;
}

/** A program's long-run quality: its conference's plus its own (lower divisions sit well below Division I). */
export function programQuality(random: Random, conferenceQuality: number | undefined): number {
  return (conferenceQuality ?? LOWER_DIVISION_QUALITY) + random.normal(0, PROGRAM_SD);
}

/**
 * A team's form in a season: an AR(1) process in seasons, written as the sum of past shocks so that any season can
 * be computed on its own (shocks older than twelve seasons weigh less than 0.01%).
 */
function formOf(seed: number, teamId: number, season: number): number {
  const innovation = FORM_SD * Math.sqrt(1 - FORM_CARRY ** 2);
  let form = 0;
  for (let k = 0, weight = 1; k < 12; k++, weight *= FORM_CARRY) {
    form += weight * innovation * Random.derive(seed, 'form', teamId, season - k).normal();
  }
  return form;
}

export interface StrengthInput {
  readonly id: number;
  readonly school: string;
  readonly division: 1 | 2 | 3;
  readonly baseQuality: number;
}

/**
 * Every team's strengths in a season, centred so that the average Division I team is 0 (as rating sites define it).
 * The offense/defense split and the tempo are the season's own.
 */
export function seasonStrengths(seed: number, teams: readonly StrengthInput[], season: number): Map<number, TeamStrength> {
  const nets = teams.map((t) => t.baseQuality + formOf(seed, t.id, season));
  const d1 = nets.filter((_, i) => teams[i]!.division === 1);
  const centre = d1.reduce((a, b) => a + b, 0) / Math.max(1, d1.length);
  const out = new Map<number, TeamStrength>();
  teams.forEach((team, i) => {
    const r = Random.derive(seed, 'style', team.id, season);
    const net = nets[i]! - centre;
    const split = r.normal(0, 3.5);
    const offense = round1(net / 2 + split);
    const defense = round1(net / 2 - split);
    out.set(team.id, { teamId: team.id, team: team.school, offense, defense, net: round1(offense + defense), tempo: round1(r.normal(68, 3)) });
  });
  return out;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
