/**
 * Five-man units (lineups) of a game or a season, counted from the simulated events: their minutes, possessions and
 * box-score lines for and against, as /lineups/game and /lineups/team serve them.
 */
import { createHash } from 'node:crypto';
import type { LineupStats } from 'cbbd';
import type { GameEvent, Side } from './game-engine.ts';
import { secondsBetween, type Replayed } from './game-views.ts';

interface UnitCounts {
  poss: number; pts: number; blk: number; ast: number; stl: number; tov: number; dreb: number; oreb: number;
  fgm: number; fga: number; jm: number; ja: number; lm: number; la: number; dm: number; da: number; tpm: number; tpa: number; ftm: number; fta: number;
}

export interface LineupTally {
  readonly side: Side;
  readonly ids: readonly number[];
  readonly names: readonly string[];
  seconds: number;
  readonly team: UnitCounts;
  readonly opponent: UnitCounts;
}

const emptyUnit = (): UnitCounts => ({ poss: 0, pts: 0, blk: 0, ast: 0, stl: 0, tov: 0, dreb: 0, oreb: 0, fgm: 0, fga: 0, jm: 0, ja: 0, lm: 0, la: 0, dm: 0, da: 0, tpm: 0, tpa: 0, ftm: 0, fta: 0 });

/** Five-man units of both teams with what happened while each was on the floor, keyed by side and sorted ids. */
export function lineupTallies({ events, home, away }: Replayed, into = new Map<string, LineupTally>()): Map<string, LineupTally> {
  const rosters = [home.roster, away.roster] as const;
  const unit = (side: Side, floor: readonly number[]) => {
    const ids = floor.map((i) => rosters[side][i]!.id).sort((a, b) => a - b);
    const key = `${side}:${ids.join('-')}`;
    let t = into.get(key);
    if (!t) into.set(key, (t = { side, ids, names: ids.map((id) => rosters[side].find((p) => p.id === id)!.name), seconds: 0, team: emptyUnit(), opponent: emptyUnit() }));
    return t;
  };
  let previous: GameEvent | undefined;
  for (const e of events) {
    if (previous) {
      const dt = secondsBetween(previous, e);
      for (const s of [0, 1] as Side[]) unit(s, previous.floor[s]).seconds += dt;
    }
    previous = e;
    for (const s of [0, 1] as Side[]) {
      const u = unit(s, e.floor[s]);
      if (e.endsPossession) (e.possessionSide === s ? u.team : u.opponent).poss++;
      if (e.side === null) continue;
      const c = e.side === s ? u.team : u.opponent;
      switch (e.kind) {
        case 'shot':
          c.pts += e.points;
          if (e.range === 'free_throw') {
            c.fta++;
            if (e.made) c.ftm++;
            break;
          }
          c.fga++;
          if (e.made) c.fgm++;
          if (e.range === 'three_pointer') {
            c.tpa++;
            if (e.made) c.tpm++;
          } else if (e.range === 'rim') {
            c.la++;
            if (e.made) c.lm++;
          } else {
            c.ja++;
            if (e.made) c.jm++;
          }
          if (e.made && e.other !== null) c.ast++;
          break;
        case 'rebound':
          if (e.offensive) c.oreb++;
          else c.dreb++;
          break;
        case 'turnover':
          c.tov++;
          break;
        case 'steal':
          c.stl++;
          break;
        case 'block':
          c.blk++;
          break;
      }
    }
  }
  return into;
}

const shooting = (made: number, attempted: number) => ({ made, attempted, pct: attempted ? Math.round((made / attempted) * 1000) / 10 : 0 });

function unitStats(c: UnitCounts, opp: UnitCounts): LineupStats['teamStats'] {
  return {
    possessions: c.poss, points: c.pts, blocks: c.blk, assists: c.ast, steals: c.stl, turnovers: c.tov,
    defensiveRebounds: c.dreb, offensiveRebounds: c.oreb,
    trueShooting: c.fga + c.fta ? Math.round((c.pts / (2 * (c.fga + 0.44 * c.fta))) * 1000) / 1000 : 0,
    fieldGoals: shooting(c.fgm, c.fga),
    twoPointers: { ...shooting(c.fgm - c.tpm, c.fga - c.tpa), jumpers: shooting(c.jm, c.ja), layups: shooting(c.lm, c.la), dunks: shooting(0, 0), tipIns: shooting(0, 0) },
    threePointers: shooting(c.tpm, c.tpa),
    freeThrows: shooting(c.ftm, c.fta),
    fourFactors: {
      freeThrowRate: c.fga ? Math.round((c.fta / c.fga) * 1000) / 1000 : 0,
      offensiveReboundPct: c.oreb + opp.dreb ? Math.round((c.oreb / (c.oreb + opp.dreb)) * 1000) / 1000 : 0,
      turnoverRatio: c.poss ? Math.round((c.tov / c.poss) * 1000) / 1000 : 0,
      effectiveFieldGoalPct: c.fga ? Math.round(((c.fgm + 0.5 * c.tpm) / c.fga) * 1000) / 1000 : 0,
    },
  };
}

/** Lineups as /lineups/game and /lineups/team serve them, for one team (or both when teamId is omitted). */
export function lineupsOf(tallies: ReadonlyMap<string, LineupTally>, team: (side: Side) => { id: number; name: string; conference: string | null }, teamId?: number): LineupStats[] {
  return [...tallies.values()]
    .filter((t) => teamId === undefined || team(t.side).id === teamId)
    .map((t) => {
      const rating = (pts: number, poss: number) => (poss ? Math.round((pts / poss) * 1000) / 10 : 0);
      const off = rating(t.team.pts, t.team.poss);
      const def = rating(t.opponent.pts, t.opponent.poss);
      const me = team(t.side);
      return {
        teamId: me.id, team: me.name, conference: me.conference ?? '', idHash: createHash('sha1').update(t.ids.join('-')).digest('hex').slice(0, 16),
        athletes: t.ids.map((id, i) => ({ id, name: t.names[i]! })), totalSeconds: Math.round(t.seconds),
        pace: t.seconds ? Math.round((((t.team.poss + t.opponent.poss) / 2) * 2400 / t.seconds) * 10) / 10 : 0,
        offenseRating: off, defenseRating: def, netRating: Math.round((off - def) * 10) / 10,
        teamStats: unitStats(t.team, t.opponent), opponentStats: unitStats(t.opponent, t.team),
      };
    });
}
