/**
 * The built-in simulator as the source is handed it (src/cbbd never imports src/sim): described from config, and
 * loaded and started in this process only when a compute first calls the source.
 */
import type { BuiltInSimulator } from '../cbbd/source.ts';
import type { Config } from '../config/config.ts';
import { commandClock } from '../core/clock.ts';
import { divisionOneTeamsOf } from '../sim/scales.ts';

export function builtInSimulator(settings: Config['simulator']): BuiltInSimulator {
  return {
    description: `${settings.scale} scale, seed ${settings.seed}`,
    divisionOneTeams: divisionOneTeamsOf(settings.scale),
    start: () => import('../sim/serve.ts').then(({ startSimulator }) => startSimulator({ ...settings, now: commandClock })),
  };
}
