/**
 * The slower-moving parts of the API from the same world: broadcasts, the pro draft, recruiting classes (a
 * recruit's own id is not the athlete id; `athleteId` is), conference membership history and Elo ratings.
 */
import type {
  ConferenceHistory, DraftPick, DraftPosition, DraftTeam, GameInfo, GameMediaInfo, Recruit, ScoreboardGame, TeamElo, TeamRecruitingRanking, Transfer,
} from 'cbbd';
import { personName } from './names.ts';
import { Random } from './random.ts';
import type { SimWorld } from './world.ts';

const NETWORKS = ['ESPN', 'ESPN2', 'ESPNU', 'FS1', 'CBS', 'CBSSN', 'ACCN', 'SECN', 'BTN', 'Peacock', 'ESPN+'];

export function mediaOf(world: SimWorld, game: GameInfo): GameMediaInfo {
  const r = Random.derive(world.seed, 'media', game.id);
  const count = game.homeConferenceId === null ? 0 : r.int(1, 2);
  return {
    gameId: game.id, season: game.season, seasonLabel: game.seasonLabel, seasonType: game.seasonType, tournament: game.tournament,
    startDate: game.startDate, startTimeTbd: game.startTimeTbd, homeTeamId: game.homeTeamId, homeTeam: game.homeTeam,
    homeConference: game.homeConference, awayTeamId: game.awayTeamId, awayTeam: game.awayTeam, awayConference: game.awayConference,
    neutralSite: game.neutralSite, conferenceGame: game.conferenceGame, gameType: game.gameType, notes: game.gameNotes,
    broadcasts: Array.from({ length: count }, (_, i) => ({ broadcastName: r.pick(NETWORKS), broadcastType: i === 0 ? 'TV' : 'Streaming' })),
  };
}

export const DRAFT_POSITIONS: readonly DraftPosition[] = [
  { name: 'Point Guard', abbreviation: 'PG' }, { name: 'Shooting Guard', abbreviation: 'SG' }, { name: 'Small Forward', abbreviation: 'SF' },
  { name: 'Power Forward', abbreviation: 'PF' }, { name: 'Center', abbreviation: 'C' },
];

const PRO_CITIES = ['Harborview', 'Silverpeak', 'Red Mesa', 'Lakeshore', 'Granite City', 'Bayside', 'Ironport', 'Sunvale', 'Northgate', 'Cedar Falls', 'Stormhaven', 'Westbrook', 'Maplewood', 'Kingsport', 'Eastwind'];
const PRO_NAMES = ['Condors', 'Anchors', 'Thunder', 'Comets', 'Mustangs', 'Owls', 'Titans', 'Monarchs', 'Blaze', 'Harriers', 'Cyclones', 'Sentinels', 'Voyagers', 'Rockets', 'Lancers'];

export function draftTeams(): DraftTeam[] {
  return PRO_CITIES.flatMap((city, i) => [0, 1].map((k) => {
    const name = PRO_NAMES[(i + k * 7) % PRO_NAMES.length]!;
    return { id: i * 2 + k + 1, sourceId: 100 + i * 2 + k, location: k ? `${city} West` : city, name, displayName: `${k ? `${city} West` : city} ${name}`, abbreviation: `${city.slice(0, 2).toUpperCase()}${k ? 'W' : ''}` };
  }));
}

/** Sixty picks a year, from the players who finished their last college season that spring. */
export function draftPicksOf(world: SimWorld, year: number): DraftPick[] {
  const r = Random.derive(world.seed, 'draft', year);
  const teams = draftTeams();
  const seniors = world.divisionOneTeams.flatMap((t) => world.roster(t.id, year).filter((p) => p.startSeason === year - 3).map((p) => ({ p, t, score: p.usage + p.shooting * 10 + r.normal(0, 0.3) })));
  return seniors.sort((a, b) => b.score - a.score).slice(0, 60).map(({ p, t }, i) => {
    const team = teams[i % teams.length]!;
    return {
      athleteId: p.id, sourceTeamId: t.id, sourceTeamLocation: t.school, sourceTeamName: t.mascot, sourceTeamLeagueAffiliation: 'NCAA D-I',
      sourceTeamCollegeId: t.id, draftTeamId: team.id, draftTeam: team.displayName, year, overall: i + 1, round: i < 30 ? 1 : 2, pick: (i % 30) + 1,
      name: p.name, overallRank: r.chance(0.7) ? i + 1 + r.int(-5, 5) : null, positionRank: null, height: r.int(74, 86), weight: r.int(180, 260),
    };
  });
}

/** The recruiting class entering in `year`: the freshmen of every Division I roster that season. */
export function recruitsOf(world: SimWorld, year: number): Recruit[] {
  const rows = world.divisionOneTeams.flatMap((t) => world.roster(t.id, year).filter((p) => p.startSeason === year).map((p) => {
    const r = Random.derive(world.seed, 'recruit', p.id);
    const rating = Math.min(0.9999, Math.max(0.7, 0.86 + p.shooting + (p.usage - 1) * 0.05 + r.normal(0, 0.02)));
    return {
      id: 500_000 + (p.id % 500_000), sourceId: String(p.id + 7), position: p.position === 'G' ? 'PG' : p.position === 'F' ? 'SF' : 'C',
      schoolId: null, school: `${personName(r).split(' ')[1]} High School`,
      hometown: { countyFips: null, longitude: null, latitude: null, country: 'USA', state: t.currentState, city: null },
      committedTo: { conference: t.conference, name: t.school, id: t.id }, athleteId: p.id, year, name: p.name,
      heightInches: r.int(72, 86), weightPounds: r.int(170, 250), stars: rating > 0.98 ? 5 : rating > 0.9 ? 4 : rating > 0.84 ? 3 : 2,
      rating: Math.round(rating * 10_000) / 10_000, ranking: null as number | null,
    };
  }));
  rows.sort((a, b) => b.rating - a.rating).forEach((row, i) => (row.ranking = i < 300 ? i + 1 : null));
  return rows;
}

export function teamRecruitingOf(world: SimWorld, year: number): TeamRecruitingRanking[] {
  const byTeam = new Map<number, number>();
  for (const r of recruitsOf(world, year)) byTeam.set(r.committedTo!.id!, (byTeam.get(r.committedTo!.id!) ?? 0) + r.rating * 100);
  return world.divisionOneTeams
    .map((t) => ({ teamId: t.id, team: t.school, conference: t.conference, year, rating: Math.round((byTeam.get(t.id) ?? 0) * 100) / 100, ranking: 0 }))
    .sort((a, b) => b.rating - a.rating)
    .map((row, i) => ({ ...row, ranking: i + 1 }));
}

export function conferenceHistoryOf(world: SimWorld): ConferenceHistory[] {
  return world.conferences.map((c) => ({
    ...c,
    teams: world.divisionOneTeams.filter((t) => t.conferenceId === c.id).map((t) => ({
      endSeason: null, startSeason: 1990 + (t.id % 25), mascot: t.mascot, school: t.school, sourceId: t.sourceId, id: t.id,
    })),
  }));
}

export function eloOf(world: SimWorld, season: number): TeamElo[] {
  const strengths = world.strengths(season);
  return world.divisionOneTeams.map((t) => ({
    season, teamId: t.id, team: t.school, conference: t.conference ?? '', elo: Math.round(1500 + strengths.get(t.id)!.net * 12 + Random.derive(world.seed, 'elo', season, t.id).normal(0, 20)),
  }));
}

/** Players entering the transfer portal after the season before `year` (about one in twelve non-seniors). */
export function transfersOf(world: SimWorld, year: number): Transfer[] {
  const season = year - 1;
  const d1 = world.divisionOneTeams;
  return d1.flatMap((t) => world.roster(t.id, season).filter((p) => p.startSeason > season - 3).flatMap((p) => {
    const r = Random.derive(world.seed, 'portal', year, p.id);
    if (!r.chance(0.08)) return [];
    const to = r.chance(0.8) ? r.pick(d1.filter((x) => x.id !== t.id)) : undefined;
    const [firstName, ...last] = p.name.split(' ');
    return [{
      id: 900_000 + (p.id % 100_000), sourceId: `T${p.id}`, year, firstName: firstName!, lastName: last.join(' '),
      position: p.position === 'G' ? 'G' : p.position === 'F' ? 'F' : 'C',
      origin: { conference: t.conference, name: t.school, id: t.id },
      destination: to ? { conference: to.conference, name: to.school, id: to.id } : null,
      eligibility: r.pick(['Immediate', 'Immediate', 'TBD', 'Withdrawn'] as const),
      yearsRemaining: 3 - (season - p.startSeason), stars: r.chance(0.5) ? r.int(2, 4) : null, rating: r.chance(0.5) ? Math.round(r.normal(0.86, 0.03) * 10_000) / 10_000 : null,
    }];
  }));
}

/** Today's games (UTC) as the scoreboard shows them, with the consensus line when there is one. */
export function scoreboardOf(world: SimWorld, now: Date, lines: (g: GameInfo) => { spread: number | null; overUnder: number | null; homeMoneyline: number | null; awayMoneyline: number | null } | undefined): ScoreboardGame[] {
  const today = now.toISOString().slice(0, 10);
  const season = Number(today.slice(5, 7)) >= 7 ? Number(today.slice(0, 4)) + 1 : Number(today.slice(0, 4));
  if (!Number.isInteger(season)) return [];
  const side = (g: GameInfo, home: boolean) => {
    const t = world.teamById(home ? g.homeTeamId : g.awayTeamId);
    return {
      lineScores: home ? g.homePeriodPoints : g.awayPeriodPoints, points: home ? g.homePoints : g.awayPoints,
      conferenceAbbreviation: t.conference, conference: t.conference, location: t.currentCity, name: t.school, id: t.id,
    };
  };
  return world.gamesAsOf(season).filter((g) => g.startDate.startsWith(today)).map((g) => {
    const line = lines(g);
    return {
      id: g.id, startDate: g.startDate, startTimeTbd: g.startTimeTbd, tv: mediaOf(world, g).broadcasts[0]?.broadcastName ?? null,
      neutralSite: g.neutralSite, conferenceGame: g.conferenceGame, status: g.status, period: g.status === 'final' ? (g.homePeriodPoints?.length ?? 2) : null,
      clock: g.status === 'final' ? '0:00' : null, venue: g.venue, city: g.city, state: g.state,
      homeTeam: side(g, true), awayTeam: side(g, false),
      betting: { awayMoneyline: line?.awayMoneyline ?? null, homeMoneyline: line?.homeMoneyline ?? null, overUnder: line?.overUnder ?? null, spread: line?.spread ?? null },
    };
  });
}
