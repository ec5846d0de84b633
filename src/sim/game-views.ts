/**
 * What the API serves about a game, derived from its simulated events: plays, team and player box scores, and
 * substitutions. Everything is counted from the same events, so player points add up to team points, team points
 * equal the final score, and box-score possessions are the possessions of the plays.
 */
import type { GameBoxScorePlayers, GameBoxScoreTeam, GameBoxScoreTeamStats, GameInfo, PlayInfo, PlayerSubsititution } from 'cbbd';
import { fourFactors, ratio, shootingLines } from './_box-math.ts';
import type { GameEvent, Side, TeamInGame } from './game-engine.ts';

export const PLAY_TYPES = [
  'JumpShot', 'LayUpShot', 'DunkShot', 'MadeFreeThrow', 'Offensive Rebound', 'Defensive Rebound', 'Lost Ball Turnover',
  'Steal', 'Block Shot', 'PersonalFoul', 'Substitution', 'OfficialTVTimeout', 'End Period', 'Jumpball',
] as const;

export interface Replayed {
  readonly game: GameInfo;
  readonly events: readonly GameEvent[];
  readonly home: TeamInGame;
  readonly away: TeamInGame;
}

export const sideTeam = (g: GameInfo, side: Side) => side === 0
  ? { id: g.homeTeamId, name: g.homeTeam, conference: g.homeConference, seed: g.homeSeed }
  : { id: g.awayTeamId, name: g.awayTeam, conference: g.awayConference, seed: g.awaySeed };

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function playType(e: GameEvent, index: number): PlayInfo['playType'] {
  switch (e.kind) {
    case 'shot':
      return e.range === 'free_throw' ? 'MadeFreeThrow' : e.range === 'rim' ? (index % 6 === 0 && e.made ? 'DunkShot' : 'LayUpShot') : 'JumpShot';
    case 'rebound':
      return e.offensive ? 'Offensive Rebound' : 'Defensive Rebound';
    case 'turnover':
      return 'Lost Ball Turnover';
    case 'steal':
      return 'Steal';
    case 'block':
      return 'Block Shot';
    case 'foul':
      return 'PersonalFoul';
    case 'substitution':
      return 'Substitution';
    case 'timeout':
      return 'OfficialTVTimeout';
    case 'end_period':
      return 'End Period';
    case 'jumpball':
      return 'Jumpball';
  }
}

/** The plays of a game as /plays/game and /plays/date serve them. */
export function playsOf({ game, events, home, away }: Replayed, shootingOnly = false, withOnFloor = true): PlayInfo[] {
  const rosters = [home.roster, away.roster] as const;
  const person = (side: Side, i: number) => ({ name: rosters[side][i]!.name, id: rosters[side][i]!.id });
  const plays: PlayInfo[] = [];
  events.forEach((e, index) => {
    const shooting = e.kind === 'shot';
    if (shootingOnly && !shooting) return;
    const team = e.side === null ? null : sideTeam(game, e.side);
    const opp = e.side === null ? null : sideTeam(game, (1 - e.side) as Side);
    const actor = e.side !== null && e.player !== null ? person(e.side, e.player) : null;
    const other = e.side !== null && e.other !== null ? person(e.side, e.other) : null;
    const type = playType(e, index);
    const verb = e.kind === 'shot' ? `${e.made ? 'made' : 'missed'} ${e.range === 'three_pointer' ? 'Three Point Jumper' : e.range === 'free_throw' ? 'Free Throw' : e.range === 'rim' ? 'Layup' : 'Jumper'}${other ? `. Assisted by ${other.name}` : ''}`
      : e.kind === 'substitution' ? `subbing out for ${team?.name}, ${other?.name} subbing in` : type;
    plays.push({
      id: game.id * 1_000 + index,
      sourceId: `${game.sourceId}${String(index).padStart(4, '0')}`,
      gameId: game.id,
      gameSourceId: game.sourceId,
      gameStartDate: game.startDate,
      season: game.season,
      seasonType: game.seasonType,
      gameType: game.gameType ?? 'STD',
      tournament: game.tournament,
      playType: type,
      isHomeTeam: e.side === null ? null : e.side === 0,
      teamId: team?.id ?? null,
      team: team?.name ?? null,
      conference: team?.conference ?? null,
      teamSeed: team?.seed ?? null,
      opponentId: opp?.id ?? null,
      opponent: opp?.name ?? null,
      opponentConference: opp?.conference ?? null,
      opponentSeed: opp?.seed ?? null,
      period: e.period,
      clock: clock(e.seconds),
      secondsRemaining: Math.round(e.seconds),
      homeScore: e.home,
      awayScore: e.away,
      homeWinProbability: null,
      scoringPlay: shooting ? Boolean(e.made) : null,
      shootingPlay: shooting,
      scoreValue: shooting ? (e.range === 'three_pointer' ? 3 : e.range === 'free_throw' ? 1 : 2) : null,
      wallclock: null,
      playText: actor ? `${actor.name} ${verb}.` : verb,
      participants: [actor, other].filter((p): p is { name: string; id: number } => p !== null),
      onFloor: !withOnFloor ? [] : ([0, 1] as Side[]).flatMap((s) => e.floor[s].map((i) => ({ team: sideTeam(game, s).name, ...person(s, i) }))),
      shotInfo: shooting && actor
        ? {
            shooter: actor, made: Boolean(e.made), range: e.range!, assisted: other !== null,
            assistedBy: other ?? { name: null, id: null },
            location: { x: null, y: null },
          }
        : null,
    });
  });
  return plays;
}

/** Game time between two events: from the previous one, or from the start of the period when a new one began. */
export function secondsBetween(previous: GameEvent, e: GameEvent): number {
  return (previous.period === e.period ? previous.seconds : e.period <= 2 ? 1200 : 300) - e.seconds;
}

interface Line {
  fgm: number; fga: number; tpm: number; tpa: number; ftm: number; fta: number; oreb: number; dreb: number;
  ast: number; stl: number; blk: number; tov: number; pf: number; pts: number; seconds: number;
}

const emptyLine = (): Line => ({ fgm: 0, fga: 0, tpm: 0, tpa: 0, ftm: 0, fta: 0, oreb: 0, dreb: 0, ast: 0, stl: 0, blk: 0, tov: 0, pf: 0, pts: 0, seconds: 0 });

/** Per player and per team counts, walked once over the events. */
function tally({ events, home, away }: Replayed) {
  const players = [home.roster.map(emptyLine), away.roster.map(emptyLine)] as const;
  const possessions = [0, 0];
  const byPeriod: [number[], number[]] = [[], []];
  const largestLead = [0, 0];
  let previous: GameEvent | undefined;
  for (const e of events) {
    if (previous) {
      const dt = secondsBetween(previous, e);
      for (const s of [0, 1] as Side[]) for (const i of previous.floor[s]) players[s][i]!.seconds += dt;
    }
    previous = e;
    if (e.endsPossession) possessions[e.possessionSide]!++;
    for (const s of [0, 1] as Side[]) {
      byPeriod[s][e.period - 1] ??= 0;
      largestLead[s] = Math.max(largestLead[s]!, s === 0 ? e.home - e.away : e.away - e.home);
    }
    if (e.side === null || e.player === null) continue;
    const line = players[e.side][e.player]!;
    switch (e.kind) {
      case 'shot':
        if (e.range === 'free_throw') {
          line.fta++;
          if (e.made) line.ftm++;
        } else {
          line.fga++;
          if (e.range === 'three_pointer') line.tpa++;
          if (e.made) {
            line.fgm++;
            if (e.range === 'three_pointer') line.tpm++;
            if (e.other !== null) players[e.side][e.other]!.ast++;
          }
        }
        line.pts += e.points;
        byPeriod[e.side][e.period - 1]! += e.points;
        break;
      case 'rebound':
        if (e.offensive) line.oreb++;
        else line.dreb++;
        break;
      case 'turnover':
        line.tov++;
        break;
      case 'steal':
        line.stl++;
        break;
      case 'block':
        line.blk++;
        break;
      case 'foul':
        line.pf++;
        break;
    }
  }
  const team = players.map((lines) => lines.reduce((t, l) => {
    for (const k of Object.keys(t) as (keyof Line)[]) t[k] += l[k];
    return t;
  }, emptyLine()));
  const periods = events.at(-1)?.period ?? 2;
  return { players, team, possessions, byPeriod, largestLead, minutes: 40 + 5 * (periods - 2) };
}

function teamStats(t: Line, opp: Line, possessions: number, byPeriod: number[], largestLead: number): GameBoxScoreTeamStats {
  return {
    ...shootingLines(t),
    turnovers: { teamTotal: 0, total: t.tov },
    fouls: { flagrant: 0, technical: 0, total: t.pf },
    points: { fastBreak: null, offTurnovers: null, inPaint: null, byPeriod, largestLead, total: t.pts },
    fourFactors: fourFactors(t, opp.dreb, possessions),
    assists: t.ast, blocks: t.blk, steals: t.stl, possessions,
    rating: ratio(t.pts * 100, possessions, 1),
    trueShooting: ratio(t.pts, 2 * (t.fga + 0.44 * t.fta)),
    gameScore: null,
  };
}

/** The two team box scores of a game, as /games/teams serves them. */
export function teamBoxesOf(replayed: Replayed): GameBoxScoreTeam[] {
  const { game } = replayed;
  const t = tally(replayed);
  const pace = Math.round((((t.possessions[0]! + t.possessions[1]!) / 2) * 40 / t.minutes) * 10) / 10;
  return ([0, 1] as Side[]).map((s) => {
    const me = sideTeam(game, s);
    const opp = sideTeam(game, (1 - s) as Side);
    const o = (1 - s) as Side;
    return {
      gameId: game.id, season: game.season, seasonLabel: game.seasonLabel, seasonType: game.seasonType, tournament: game.tournament,
      startDate: game.startDate, startTimeTbd: game.startTimeTbd, teamId: me.id, team: me.name, conference: me.conference, teamSeed: me.seed,
      opponentId: opp.id, opponent: opp.name, opponentConference: opp.conference, opponentSeed: opp.seed, neutralSite: game.neutralSite,
      isHome: s === 0, conferenceGame: game.conferenceGame, gameType: game.gameType, notes: game.gameNotes, gameMinutes: t.minutes, pace,
      teamStats: teamStats(t.team[s]!, t.team[o]!, t.possessions[s]!, t.byPeriod[s], t.largestLead[s]!),
      opponentStats: teamStats(t.team[o]!, t.team[s]!, t.possessions[o]!, t.byPeriod[o], t.largestLead[o]!),
    };
  });
}

/** The two player box scores of a game, as /games/players serves them. */
export function playerBoxesOf(replayed: Replayed): GameBoxScorePlayers[] {
  const { game, events, home, away } = replayed;
  const t = tally(replayed);
  const rosters = [home.roster, away.roster] as const;
  const starters = events[0]?.floor ?? [[], []];
  const pace = Math.round((((t.possessions[0]! + t.possessions[1]!) / 2) * 40 / t.minutes) * 10) / 10;
  return ([0, 1] as Side[]).map((s) => {
    const me = sideTeam(game, s);
    const opp = sideTeam(game, (1 - s) as Side);
    return {
      gameId: game.id, season: game.season, seasonLabel: game.seasonLabel, seasonType: game.seasonType, tournament: game.tournament,
      startDate: game.startDate, startTimeTbd: game.startTimeTbd, teamId: me.id, team: me.name, conference: me.conference, teamSeed: me.seed,
      opponentId: opp.id, opponent: opp.name, opponentConference: opp.conference, opponentSeed: opp.seed, neutralSite: game.neutralSite,
      isHome: s === 0, conferenceGame: game.conferenceGame, gameType: game.gameType, notes: game.gameNotes, gameMinutes: t.minutes, gamePace: pace,
      players: rosters[s].flatMap((p, i) => {
        const l = t.players[s][i]!;
        if (l.seconds <= 0) return [];
        return [{
          ...shootingLines(l),
          offensiveReboundPct: null, freeThrowRate: ratio(l.fta, l.fga), assistsTurnoverRatio: ratio(l.ast, l.tov, 2),
          gameScore: null, trueShootingPct: ratio(l.pts, 2 * (l.fga + 0.44 * l.fta)), effectiveFieldGoalPct: ratio(l.fgm + 0.5 * l.tpm, l.fga),
          netRating: null, defensiveRating: null, offensiveRating: null, usage: null,
          blocks: l.blk, steals: l.stl, assists: l.ast, fouls: l.pf, turnovers: l.tov, points: l.pts,
          minutes: Math.round(l.seconds / 6) / 10, ejected: false, starter: starters[s].includes(i), position: p.position,
          name: p.name, athleteSourceId: String(p.id), athleteId: p.id,
        }];
      }),
    };
  });
}

/** Every stint of every player, as /substitutions serves them. */
export function substitutionsOf({ game, events, home, away }: Replayed): PlayerSubsititution[] {
  const rosters = [home.roster, away.roster] as const;
  const out: PlayerSubsititution[] = [];
  const open = new Map<string, { side: Side; i: number; at: GameEvent }>();
  const moment = (e: GameEvent, s: Side) => ({
    teamPoints: s === 0 ? e.home : e.away, opponentPoints: s === 0 ? e.away : e.home, secondsRemaining: Math.round(e.seconds), period: e.period,
  });
  const close = (key: string, at: GameEvent) => {
    const stint = open.get(key)!;
    open.delete(key);
    const me = sideTeam(game, stint.side);
    const opp = sideTeam(game, (1 - stint.side) as Side);
    const p = rosters[stint.side][stint.i]!;
    out.push({
      gameId: game.id, startDate: game.startDate, teamId: me.id, team: me.name, conference: me.conference,
      athleteId: p.id, athlete: p.name, position: p.position, opponentId: opp.id, opponent: opp.name, opponentConference: opp.conference,
      subIn: moment(stint.at, stint.side), subOut: moment(at, stint.side),
    });
  };
  for (const e of events) {
    for (const s of [0, 1] as Side[]) {
      const onFloor = new Set(e.floor[s].map((i) => `${s}:${i}`));
      for (const key of [...open.keys()]) if (key.startsWith(`${s}:`) && !onFloor.has(key)) close(key, e);
      for (const i of e.floor[s]) if (!open.has(`${s}:${i}`)) open.set(`${s}:${i}`, { side: s, i, at: e });
    }
  }
  const last = events.at(-1);
  if (last) for (const key of [...open.keys()]) close(key, last);
  return out;
}

