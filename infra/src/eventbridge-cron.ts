/**
 * The schedules in config.yaml are 5-field cron expressions (minute hour day-of-month month day-of-week, read by
 * croner); EventBridge takes `cron(minute hour day-of-month month day-of-week year)` with its own rules: exactly one
 * of the two day fields is `?`, days of the week run 1-7 from Sunday (cron's run 0-7 from Sunday, 7 being Sunday
 * again), and the day-of-week field takes no increments. Every field that is not `*` is written out as an explicit
 * list, so no wildcard whose meaning differs between the two dialects reaches AWS.
 */

export class CronConversionError extends Error {
  override name = 'CronConversionError';
}

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const FIELDS: readonly FieldSpec[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: MONTHS },
  // 7 is Sunday too in cron; folded onto 0 below.
  { label: 'day of week', min: 0, max: 7, names: WEEKDAYS },
];

/** The nicknames croner accepts, as the 5-field expressions they stand for. */
const NICKNAMES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/**
 * `"0 12 * * 0"` → `"cron(0 12 ? * SUN *)"`. Throws a `CronConversionError` naming the field and the way out when the
 * expression has no EventBridge equivalent (both day fields restricted, croner's `L`/`W`/`#` extensions, seconds).
 */
export function toEventBridgeCron(expression: string): string {
  const source = expression.trim();
  let fields = (NICKNAMES[source.toLowerCase()] ?? source).split(/\s+/);
  if (fields.length === 6) {
    // croner's optional seconds field: EventBridge fires on whole minutes only.
    if (fields[0] !== '0') throw new CronConversionError(`"${expression}": EventBridge runs schedules on whole minutes; drop the seconds field or set it to 0.`);
    fields = fields.slice(1);
  }
  if (fields.length !== 5) {
    throw new CronConversionError(`"${expression}": expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}.`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((field, i) => parseField(field, FIELDS[i]!, expression)) as [Parsed, Parsed, Parsed, Parsed, Parsed];
  if (dayOfMonth !== '*' && dayOfWeek !== '*') {
    throw new CronConversionError(
      `"${expression}": restricts both the day of the month and the day of the week, which cron reads as either one and ` +
        'EventBridge cannot express; split it into two schedules, one per day field.',
    );
  }
  const weekdays = dayOfWeek === '*' ? '?' : render(new Set([...dayOfWeek].map((d) => d % 7)), (d) => WEEKDAYS[d]!);
  const days = dayOfMonth === '*' ? (dayOfWeek === '*' ? '*' : '?') : render(dayOfMonth, String);
  return `cron(${[minute, hour].map((f) => (f === '*' ? '*' : render(f, String))).join(' ')} ${days} ${month === '*' ? '*' : render(month, String)} ${weekdays} *)`;
}

type Parsed = '*' | Set<number>;

function parseField(field: string, spec: FieldSpec, expression: string): Parsed {
  if (field === '*' || field === '?') return '*';
  const fail = (why: string): never => {
    throw new CronConversionError(`"${expression}": ${spec.label} field "${field}": ${why}`);
  };
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^([^/]+?)(?:\/(\d+))?$/.exec(part);
    if (!match) fail('not a value, a range or a step.');
    const [, range, stepText] = match!;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) fail('a step must be at least 1.');
    let from: number;
    let to: number;
    if (range === '*') {
      [from, to] = [spec.min, spec.label === 'day of week' ? 6 : spec.max];
    } else {
      const bounds = range!.split('-');
      if (bounds.length > 2) fail('a range has one dash.');
      from = value(bounds[0]!, spec, fail);
      // "5/15" in cron means from 5 to the end in steps of 15.
      to = bounds.length === 2 ? value(bounds[1]!, spec, fail) : stepText === undefined ? from : spec.max;
      if (to < from) fail(`the range runs backwards (${from} after ${to}); write it as two ranges.`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function value(text: string, spec: FieldSpec, fail: (why: string) => never): number {
  const named = spec.names?.indexOf(text.toUpperCase() as never) ?? -1;
  if (named >= 0) return spec.label === 'month' ? named + 1 : named;
  if (!/^\d+$/.test(text)) {
    fail(/[LW#]/i.test(text) ? 'croner\'s L, W and # extensions are not converted for EventBridge; list the days instead.' : `"${text}" is not a number${spec.names ? ' or a name' : ''}.`);
  }
  const n = Number(text);
  if (n < spec.min || n > spec.max) fail(`${n} is outside ${spec.min}-${spec.max}.`);
  return n;
}

/** Sorted values, consecutive runs of three or more as ranges. */
function render(values: Set<number>, name: (v: number) => string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 2) {
      parts.push(`${name(sorted[i]!)}-${name(sorted[j]!)}`);
      i = j + 1;
    } else {
      parts.push(name(sorted[i]!));
      i++;
    }
  }
  return parts.join(',');
}
