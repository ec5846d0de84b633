/**
 * What `/_sim/truth` tells a user about a season: the latent strength of every Division I team, with the units and
 * signs spelled out, and the home advantage and per-game noise the world plays its games with, so a rating or a
 * prediction can be scored against what really drove the results.
 */
import { GAME_MARGIN_SD } from './game-engine.ts';
import { HOME_POINTS, type TeamStrength } from './strengths.ts';
import type { SimWorld } from './world.ts';

export interface SimTruth {
  readonly season: number;
  readonly units: {
    readonly offense: string;
    readonly defense: string;
    readonly net: string;
    readonly tempo: string;
    readonly expectedMargin: string;
  };
  /** Points added to the home team's expected margin on its own court (0 on a neutral court). */
  readonly homeAdvantage: number;
  /** SD in points of a game's home margin around its expected margin. */
  readonly gameMarginSd: number;
  readonly teams: readonly TeamStrength[];
}

export function truthOf(world: SimWorld, season: number): SimTruth {
  const strengths = world.strengths(season);
  return {
    season,
    units: {
      offense: 'points scored per 100 possessions above an average Division I offense (positive = better)',
      defense: 'points allowed per 100 possessions fewer than an average Division I defense (positive = better)',
      net: 'offense + defense: points per 100 possessions better than an average Division I team on a neutral court',
      tempo: 'possessions per 40 minutes',
      expectedMargin: 'home margin in points = (home.net - away.net) * (home.tempo + away.tempo) / 2 / 100 + homeAdvantage (0 if neutral)',
    },
    homeAdvantage: HOME_POINTS,
    gameMarginSd: GAME_MARGIN_SD,
    teams: world.divisionOneTeams.map((t) => strengths.get(t.id)!),
  };
}
