import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { CronConversionError, toEventBridgeCron } from '../src/eventbridge-cron.ts';

/** EventBridge's form read back by croner: the year dropped, `?` as `*` (croner reads day names as EventBridge does). */
function croneredEventBridge(expression: string): string {
  const fields = /^cron\((.*)\)$/.exec(expression)![1]!.split(' ');
  expect(fields).toHaveLength(6);
  expect(fields[5]).toBe('*');
  expect(fields.filter((f) => f === '?')).toHaveLength(1);
  return fields.slice(0, 5).map((f) => (f === '?' ? '*' : f)).join(' ');
}

function nextRuns(pattern: string, count: number): string[] {
  const cron = new Cron(pattern, { timezone: 'UTC', paused: true });
  const out: string[] = [];
  let from = new Date('2025-11-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const next = cron.nextRun(from)!;
    out.push(next.toISOString());
    from = next;
  }
  return out;
}

describe('toEventBridgeCron', () => {
  it.each([
    ['0 8 * * *', 'cron(0 8 * * ? *)'],
    ['0 12 * * 0', 'cron(0 12 ? * SUN *)'],
    ['0 12 * * 7', 'cron(0 12 ? * SUN *)'],
    ['30 6 * * 1-5', 'cron(30 6 ? * MON-FRI *)'],
    ['0 9 * * 5-7', 'cron(0 9 ? * SUN,FRI,SAT *)'],
    ['*/15 * * * *', 'cron(0,15,30,45 * * * ? *)'],
    ['0 */6 1 * *', 'cron(0 0,6,12,18 1 * ? *)'],
    ['0 8 * 11-12,1-4 *', 'cron(0 8 * 1-4,11,12 ? *)'],
    ['0 8 * NOV-DEC mon,wed', 'cron(0 8 ? 11,12 MON,WED *)'],
    ['0 0 8 * * *', 'cron(0 8 * * ? *)'],
    ['@daily', 'cron(0 0 * * ? *)'],
    ['@weekly', 'cron(0 0 ? * SUN *)'],
  ])('%s → %s, and both fire at the same moments', (cron, expected) => {
    const converted = toEventBridgeCron(cron);
    expect(converted).toBe(expected);
    // The meaning, not only the text: the next runs of both forms agree (croner for each).
    const original = cron.split(' ').length === 6 ? cron.split(' ').slice(1).join(' ') : cron;
    expect(nextRuns(croneredEventBridge(converted), 40)).toEqual(nextRuns(original, 40));
  });

  it.each([
    ['0 8 1 * 1', /both the day of the month and the day of the week.*split it into two schedules/],
    ['0 8 * *', /expected 5 fields/],
    ['30 0 8 * * *', /whole minutes/],
    ['0 25 * * *', /hour field "25": 25 is outside 0-23/],
    ['0 8 L * *', /L, W and # extensions/],
    ['0 8 * * 5-2', /runs backwards/],
    ['0 8 * * FUNDAY', /"FUNDAY" is not a number or a name/],
  ])('%s is refused with a reason', (cron, message) => {
    expect(() => toEventBridgeCron(cron)).toThrow(CronConversionError);
    expect(() => toEventBridgeCron(cron)).toThrow(message);
  });
});
