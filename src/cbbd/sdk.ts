/**
 * The `cbbd` package's endpoint functions, as the assets call them (`client.call(getGames, ...)`), with the package
 * loaded on the first call. Loading it builds the package's default fetch client, which alone took about a third
 * of `cbbd status`'s start-up; the assets are declared by every command, and only a run calls the API.
 * Import the types from 'cbbd' itself (`import type`), the functions from here.
 */
import type * as Sdk from 'cbbd';

type Endpoints = typeof Sdk;
type EndpointName = { [K in keyof Endpoints]: Endpoints[K] extends (options: never) => unknown ? K : never }[keyof Endpoints];

let sdk: Promise<Endpoints> | undefined;

/** A function with the signature of the package's `name`, calling it once the package is loaded. */
function endpoint<K extends EndpointName>(name: K): Endpoints[K] {
  const call = async (options: Parameters<Endpoints[K]>[0]) => {
    sdk ??= import('cbbd');
    return ((await sdk)[name] as (o: typeof options) => unknown)(options);
  };
  // Stack traces and debuggers show the endpoint's name, as they would the package's own function.
  Object.defineProperty(call, 'name', { value: name });
  return call as unknown as Endpoints[K];
}

export const getAdjustedEfficiency = endpoint('getAdjustedEfficiency');
export const getBroadcasts = endpoint('getBroadcasts');
export const getConferenceHistory = endpoint('getConferenceHistory');
export const getConferences = endpoint('getConferences');
export const getDraftPicks = endpoint('getDraftPicks');
export const getDraftPositions = endpoint('getDraftPositions');
export const getDraftTeams = endpoint('getDraftTeams');
export const getElo = endpoint('getElo');
export const getGamePlayers = endpoint('getGamePlayers');
export const getGames = endpoint('getGames');
export const getGameTeams = endpoint('getGameTeams');
export const getLines = endpoint('getLines');
export const getLineupsByTeamSeason = endpoint('getLineupsByTeamSeason');
export const getLineupStatsByGame = endpoint('getLineupStatsByGame');
export const getPlayerSeasonShootingStats = endpoint('getPlayerSeasonShootingStats');
export const getPlayerSeasonStats = endpoint('getPlayerSeasonStats');
export const getPlays = endpoint('getPlays');
export const getPlaysByDate = endpoint('getPlaysByDate');
export const getPlayTypes = endpoint('getPlayTypes');
export const getPortalTransfers = endpoint('getPortalTransfers');
export const getProviders = endpoint('getProviders');
export const getRankings = endpoint('getRankings');
export const getRecruits = endpoint('getRecruits');
export const getSrs = endpoint('getSrs');
export const getSubstitutionsByGame = endpoint('getSubstitutionsByGame');
export const getSubstitutionsByTeam = endpoint('getSubstitutionsByTeam');
export const getTeamLeaderboardStats = endpoint('getTeamLeaderboardStats');
export const getTeamRecruitingRankings = endpoint('getTeamRecruitingRankings');
export const getTeamRoster = endpoint('getTeamRoster');
export const getTeams = endpoint('getTeams');
export const getTeamSeasonShootingStats = endpoint('getTeamSeasonShootingStats');
export const getTeamSeasonStats = endpoint('getTeamSeasonStats');
export const getVenues = endpoint('getVenues');
