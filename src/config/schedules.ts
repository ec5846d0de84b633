/**
 * The `schedules:` section of `config.yaml`: named cron schedules, each running one `cbbd` command. Read by the
 * scheduler (`cbbd schedule`, `cbbd serve`) and by the AWS app in `infra/` for its EventBridge rules, so its shape
 * is a contract: `{ <name>: { cron, timezone, command, enabled } }`. Cron expressions and time zones are checked
 * with croner, the library that evaluates them, so what loads is what runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Cron } from 'croner';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { packageRoot } from '../core/package-root.ts';

/** Commands a tick may not run: each of them runs until it is stopped, so its tick would never end. */
const LONG_RUNNING = new Set(['schedule', 'serve', 'sim']);

/** A cron expression croner accepts (5 fields, or 6 with seconds first) in a time zone it knows, with a next tick. */
function cronProblem(cron: string, timezone: string): string | undefined {
  let job: Cron;
  try {
    job = new Cron(cron, { timezone, paused: true });
  } catch (error) {
    return `cron "${cron}" is not a cron expression (${(error as Error).message}): use five fields "minute hour day-of-month month day-of-week", e.g. "0 8 * * *" for 08:00 every day, or six with seconds first`;
  }
  try {
    if (job.nextRun() === null) return `cron "${cron}" never ticks again: pick an expression with a future occurrence`;
  } catch (error) {
    return /time zone/i.test((error as Error).message)
      ? `timezone "${timezone}" is not a time zone: use an IANA name such as UTC or America/New_York`
      : `cron "${cron}" cannot be evaluated (${(error as Error).message})`;
  } finally {
    job.stop();
  }
  return undefined;
}

export const scheduleSchema = z
  .object({
    cron: z.string().trim().min(1, 'expected a cron expression, e.g. "0 8 * * *"'),
    timezone: z.string().trim().min(1).default('UTC'),
    /** The command line after `cbbd`, as a user would type it, e.g. ["materialize", "*", "--season", "current"]. */
    command: z
      .array(z.string().min(1, 'an argument is empty'))
      .min(1, 'expected the command after "cbbd", e.g. ["materialize", "*", "--season", "current"]')
      .refine((args) => !args[0]?.startsWith('-'), 'the first element must be a command name such as "materialize", not an option')
      .refine((args) => !LONG_RUNNING.has(args[0] ?? ''), 'a tick cannot run schedule, serve or sim: they run until stopped')
      .refine((args) => !args.some((a) => a === '--config' || a.startsWith('--config=')), 'leave out --config: a tick always uses the scheduler\'s own configuration file'),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    const problem = cronProblem(s.cron, s.timezone);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [problem.startsWith('timezone') ? 'timezone' : 'cron'] });
  });

export type ScheduleConfig = z.infer<typeof scheduleSchema>;

/** Names become log fields and AWS rule names: letters, digits, `-` and `_`, up to 48 characters. */
const SCHEDULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

const schedulesRecord = z
  .record(z.string(), scheduleSchema)
  .superRefine((schedules, ctx) => {
    for (const name of Object.keys(schedules)) {
      if (!SCHEDULE_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a schedule name: use letters, digits, - and _ only (at most 48), e.g. "nightly"` });
    }
  });

let defaults: Record<string, ScheduleConfig> | undefined;

/**
 * The schedules of a config.yaml that declares none: those of the project's own config.yaml, the one place the default
 * schedules are written (the nightly and the weekly validate); none when it is not there.
 */
export function defaultSchedules(): Record<string, ScheduleConfig> {
  if (defaults) return defaults;
  const file = new URL('config.yaml', packageRoot(import.meta.url));
  const document: unknown = existsSync(file) ? parseYaml(readFileSync(file, 'utf8')) : undefined;
  const section = typeof document === 'object' && document !== null ? (document as { schedules?: unknown }).schedules : undefined;
  defaults = parseSchedules(section ?? {}, file.pathname);
  return defaults;
}

export const schedulesSchema = schedulesRecord.default(() => defaultSchedules());

/**
 * A `schedules:` section checked as the CLI checks it, for readers outside the CLI's configuration (infra/): throws
 * an Error naming the file, the field and the fix.
 */
export function parseSchedules(section: unknown, file: string): Record<string, ScheduleConfig> {
  const parsed = schedulesRecord.safeParse(section);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`${file}: ${['schedules', ...issue.path].join('.')}: ${issue.message}.`);
}
