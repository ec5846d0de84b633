/**
 * Configuration: `config.yaml`, validated by one zod schema, then environment overrides. A bad value fails at
 * start-up with the file and the field. Secrets come only from the environment and are registered for redaction.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { ConfigError } from '../core/errors.ts';
import { isoDateToDay } from '../core/partitions.ts';
import { registerSecret } from '../core/redact.ts';
import { checkFolderPath, checkSqlitePath } from './local-paths.ts';
import { schedulesSchema } from './schedules.ts';

/** The longest delay Node's timers take (2³¹−1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The simulator's default monthly quota (as `src/sim/quota.ts`; config may not import the simulator). */
const DEFAULT_MONTHLY_CALLS = 1_000_000;

const faultName = z.enum(['429', '500', 'truncated', 'empty', 'slow']);
/** A number of calls, or a percentage of the last remaining figure, e.g. 100 or "10%". */
const quotaReserve = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d+(\.\d+)?%$/, 'expected a number of calls (e.g. 100) or a percentage of the last remaining figure (e.g. "10%")')
    .refine((v) => Number.parseFloat(v) <= 100, 'a percentage must be at most 100%'),
]);
const monthDay = z.string().refine((v) => /^\d{2}-\d{2}$/.test(v) && isoDateToDay(`2000-${v}`) !== undefined, 'expected MM-DD, e.g. 11-01');

export const configSchema = z
  .object({
    /** Module exporting the asset definitions (`assets` array or default export). */
    assets: z.string().default('./assets/index.ts'),
    seasons: z
      .object({
        first: z.number().int().min(2000).max(2100).default(2010),
        /** `current` (the default): the season in progress by the calendar; a year fixes the range's end. */
        last: z.union([z.literal('current'), z.number().int().min(2000).max(2100)], { error: 'expected "current" (the season in progress) or a year such as 2026' }).default('current'),
        windowStart: monthDay.default('11-01'),
        windowEnd: monthDay.default('04-30'),
      })
      .strict()
      .default({ first: 2010, last: 'current', windowStart: '11-01', windowEnd: '04-30' })
      .refine((s) => s.last === 'current' || s.first <= s.last, { message: 'first must not be after last', path: ['first'] }),
    lakehouse: z.object({ root: z.string().default('./lakehouse') }).strict().default({ root: './lakehouse' }),
    runLog: z
      .object({ path: z.string().default('./.cbbd/runlog.sqlite'), eventRetentionDays: z.number().int().min(1).default(30) })
      .strict()
      .default({ path: './.cbbd/runlog.sqlite', eventRetentionDays: 30 }),
    source: z
      .object({
        baseUrl: z.url().default('https://api.collegebasketballdata.com'),
        requestsPerSecond: z.number().positive().default(5),
        maxInFlight: z.number().int().min(1).default(4),
        timeoutMs: z.number().int().min(100).max(MAX_TIMER_MS).default(30_000),
        retries: z.number().int().min(0).max(10).default(4),
        rollingDays: z.number().int().min(0).max(60).default(3),
        /**
         * API calls a run leaves untouched in the month's quota: a number of calls, or a share of the last
         * `X-CallLimit-Remaining` figure the API reported ("10%"). Runs that would dip into it are refused.
         */
        quotaReserve: quotaReserve.default('10%'),
      })
      .strict()
      .default({ baseUrl: 'https://api.collegebasketballdata.com', requestsPerSecond: 5, maxInFlight: 4, timeoutMs: 30_000, retries: 4, rollingDays: 3, quotaReserve: '10%' }),
    simulator: z
      .object({
        seed: z.number().int().default(2024),
        scale: z.enum(['demo', 'full']).default('demo'),
        /** Result cap of the simulated game endpoints (the real API's is 3,000). */
        gameCap: z.number().int().min(1).default(3_000),
        /** Faults to inject, to rehearse what the real API does on a bad night (see SimFaults). */
        faults: z
          .object({
            sequence: z.array(faultName).optional(),
            rates: z.partialRecord(faultName, z.number().min(0).max(1)).optional(),
            retryAfterSeconds: z.number().min(0).max(MAX_TIMER_MS / 1000).optional(),
            slowMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
          })
          .strict()
          .optional(),
        /** Days a game's player box scores stay preliminary before their late correction (0 = off). */
        lateCorrectionDays: z.number().int().min(0).default(2),
        /** Send fields the published spec does not list, as the real API does. */
        unlistedFields: z.boolean().default(true),
        /** Share of final games without play-by-play (default as the API: a third before 2014, a quarter in 2021, 1%). */
        missingPlaysRate: z.number().min(0).max(1).optional(),
        /** Seasons whose box scores lack possessions (default 2014 and 2015, as the API's). */
        possessionsMissingIn: z.array(z.number().int()).optional(),
        /** Calls a key may make per month of the simulator's clock; a spent month answers 429 as the real API does. */
        monthlyCallQuota: z.number().int().min(0).default(DEFAULT_MONTHLY_CALLS),
      })
      .strict()
      .default({ seed: 2024, scale: 'demo', gameCap: 3_000, lateCorrectionDays: 2, unlistedFields: true, monthlyCallQuota: DEFAULT_MONTHLY_CALLS }),
    materialize: z
      .object({ concurrency: z.number().int().min(1).max(64).default(2), retries: z.number().int().min(0).max(10).default(2) })
      .strict()
      .default({ concurrency: 2, retries: 2 }),
    /** The gold layer's model parameters (GOLD.md): changing one rebuilds the tables that use it. */
    gold: z
      .object({
        /** Home-court advantage, points per 100 possessions on each side, or 'auto': estimated per rating date. */
        hca: z.union([z.literal('auto'), z.number().min(0).max(20)]).default('auto'),
        /** The league prior an estimated home court is shrunk toward, points per game, and its weight in games. */
        hcaPrior: z.number().min(0).max(20).default(3.5),
        hcaPriorGames: z.number().min(0).default(200),
        /** Strength-of-schedule exponent of the adjusted-efficiency solver. */
        sosExponent: z.number().min(0).max(2).default(1),
        /** The solver stops when the largest change is below this, or after maxIterations. */
        tolerance: z.number().positive().max(1).default(0.001),
        maxIterations: z.number().int().min(1).max(10_000).default(200),
        /** Half-life in days of a recency weight on games (off when absent). */
        recencyHalfLifeDays: z.number().positive().optional(),
        /** Games' worth of shrinkage toward the league average (0 = off). */
        shrinkageGames: z.number().min(0).default(0),
        /** Weight in games of the preseason prior from last season's final rating (0 = off). */
        priorGames: z.number().min(0).max(100).default(5),
        /** Share of a team's distance from its conference's mean last season that its prior keeps. */
        priorRegression: z.number().min(0).max(1).default(0.6),
        /** Share of its conference's mean distance from the league average that the prior keeps (= priorRegression: one regression). */
        priorConferenceRegression: z.number().min(0).max(1).default(0.9),
        /** Free-throw luck: made free throws replaced by attempts × the shooter's percentage shrunk with this many attempts; false = as scored. */
        freeThrowPriorAttempts: z.union([z.literal(false), z.number().min(0)]).default(200),
      })
      .strict()
      .default({ hca: 'auto', hcaPrior: 3.5, hcaPriorGames: 200, sosExponent: 1, tolerance: 0.001, maxIterations: 200, shrinkageGames: 0, priorGames: 5, priorRegression: 0.6, priorConferenceRegression: 0.9, freeThrowPriorAttempts: 200 }),
    drivers: z
      .object({
        storage: z.enum(['local', 's3']).default('local'),
        checkpoints: z.enum(['sqlite', 'dynamodb']).default('sqlite'),
        catalog: z.enum(['duckdb', 'glue']).default('duckdb'),
      })
      .strict()
      .default({ storage: 'local', checkpoints: 'sqlite', catalog: 'duckdb' }),
    aws: z
      .object({
        region: z.string().default('us-east-1'),
        profile: z.string().optional(),
        bucket: z.string().default('hoops-edge'),
        checkpointTable: z.string().default('cbbd_checkpoints'),
        /** Athena workgroup of `cbbd query` when the catalog is Glue; results go to s3://<bucket>/athena/. */
        workgroup: z.string().default('primary'),
        /** An endpoint override, for an emulator (moto) or a VPC endpoint. */
        endpoint: z.url().optional(),
        /** How infra/ deploys the stack (alarm e-mail, GitHub repository and environment, ...): read by infra/ only. */
        deploy: z.record(z.string(), z.unknown()).optional(),
      })
      .strict()
      .default({ region: 'us-east-1', bucket: 'hoops-edge', checkpointTable: 'cbbd_checkpoints', workgroup: 'primary' }),
    /** Cron schedules run by `cbbd schedule` and `cbbd serve` (and, on AWS, by EventBridge): see schedules.ts. */
    schedules: schedulesSchema,
    checkpoints: z
      .object({ path: z.string().default('./.cbbd/checkpoints.sqlite') })
      .strict()
      .default({ path: './.cbbd/checkpoints.sqlite' }),
  })
  .strict();

export type FileConfig = z.infer<typeof configSchema>;

export interface Config extends FileConfig {
  /** Absolute path of the file read (or that would have been read). */
  readonly file: string;
  /** The directory relative paths in the file are resolved against. */
  readonly root: string;
  /** The CBBD API key, from CBBD_API_KEY or BEARER_TOKEN. Never logged (registered for redaction). */
  readonly apiKey: string | undefined;
}

/**
 * Load and validate the configuration. A missing file gives the defaults; a present one must be valid.
 * Environment overrides: CBBD_API_KEY / BEARER_TOKEN, CBBD_API_BASE_URL, CBBD_CHECKPOINT_TABLE, AWS_REGION, AWS_PROFILE.
 */
export function loadConfig(file = process.env.CBBD_CONFIG ?? 'config.yaml', env: NodeJS.ProcessEnv = process.env): Config {
  const path = resolve(file);
  let raw: unknown = {};
  if (existsSync(path)) {
    try {
      raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
    } catch (error) {
      // The YAML parser quotes the offending lines after its first line: the first says what and where.
      throw new ConfigError(`${path}: not valid YAML: ${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}`);
    }
  } else if (file !== 'config.yaml') {
    throw new ConfigError(`${path}: the configuration file does not exist (given by --config or CBBD_CONFIG).`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(top level)';
    throw new ConfigError(`${path}: ${field}: ${issue.message}${issue.code === 'unrecognized_keys' ? ' (check the spelling against docs/guide.md, "Configuration")' : ''}.`);
  }
  const config = parsed.data;
  const apiKey = nonEmpty(env.CBBD_API_KEY) ?? nonEmpty(env.BEARER_TOKEN);
  registerSecret(apiKey);
  // A key that cannot be an HTTP header value would otherwise fail every request as a "network error".
  if (apiKey !== undefined && /[^\x21-\x7e]/.test(apiKey)) {
    throw new ConfigError(`${nonEmpty(env.CBBD_API_KEY) !== undefined ? 'CBBD_API_KEY' : 'BEARER_TOKEN'} contains a space, a control character or a non-ASCII character, which no API key has; copy the key again from your CBBD account.`);
  }
  const baseUrl = nonEmpty(env.CBBD_API_BASE_URL);
  if (baseUrl !== undefined && !z.url().safeParse(baseUrl).success) {
    throw new ConfigError(`CBBD_API_BASE_URL: "${baseUrl}" is not a URL (e.g. http://127.0.0.1:8787).`);
  }
  const root = dirname(path);
  const resolved = {
    lakehouse: resolveFrom(root, config.lakehouse.root),
    runLog: resolveFrom(root, config.runLog.path),
    checkpoints: resolveFrom(root, config.checkpoints.path),
  };
  if (config.drivers.storage === 'local') checkFolderPath('lakehouse.root', resolved.lakehouse, path);
  checkSqlitePath('runLog.path', resolved.runLog, path);
  if (config.drivers.checkpoints === 'sqlite') checkSqlitePath('checkpoints.path', resolved.checkpoints, path);
  return {
    ...config,
    source: { ...config.source, ...(baseUrl !== undefined && { baseUrl }) },
    aws: {
      ...config.aws,
      ...(nonEmpty(env.AWS_REGION) !== undefined && { region: env.AWS_REGION! }),
      ...(nonEmpty(env.AWS_PROFILE) !== undefined && { profile: env.AWS_PROFILE! }),
      ...(nonEmpty(env.CBBD_CHECKPOINT_TABLE) !== undefined && { checkpointTable: env.CBBD_CHECKPOINT_TABLE! }),
    },
    assets: resolveFrom(root, config.assets),
    lakehouse: { root: resolved.lakehouse },
    runLog: { ...config.runLog, path: resolved.runLog },
    checkpoints: { path: resolved.checkpoints },
    file: path,
    root,
    apiKey,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function resolveFrom(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}
