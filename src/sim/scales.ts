/**
 * The shapes of the simulated worlds by scale: conferences, teams, games. A module of its own, without the world's
 * code, so a command can learn the size of the world (the call estimates) without loading the simulator.
 */
export type SimScale = 'demo' | 'full';

export interface ScaleShape {
  conferences: number;
  teamsPerConference: [number, number];
  otherTeams: number;
  nonConferenceGames: number;
  conferenceGames: number;
  nationalField: number;
}

export const SCALES: Record<SimScale, ScaleShape> = {
  demo: { conferences: 4, teamsPerConference: [8, 8], otherTeams: 40, nonConferenceGames: 10, conferenceGames: 14, nationalField: 16 },
  full: { conferences: 32, teamsPerConference: [9, 14], otherTeams: 1_140, nonConferenceGames: 12, conferenceGames: 18, nationalField: 68 },
};

/**
 * Division I teams a world of this scale has, when every seed gives the same number (the demo's 4 conferences of 8);
 * undefined when it varies by seed (the full scale's conferences of 9 to 14, about 362 as in real seasons).
 */
export function divisionOneTeamsOf(scale: SimScale): number | undefined {
  const { conferences, teamsPerConference: [least, most] } = SCALES[scale];
  return least === most ? conferences * least : undefined;
}

