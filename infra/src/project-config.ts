/**
 * What the stack takes from the project's config.yaml: the AWS names the code uses (bucket, checkpoint table,
 * region) and the `schedules:` section, so EventBridge runs what `cbbd schedule` would run, at the same times.
 * Read tolerantly: every section is optional, as it is for the CLI, and an absent `schedules:` means the defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultSchedules, parseSchedules } from '../../src/config/schedules.ts';
import { toEventBridgeCron } from './eventbridge-cron.ts';

export interface ProjectSchedule {
  /** The schedule's name in config.yaml, e.g. `nightly`. */
  readonly name: string;
  /** As written in config.yaml (5-field cron). */
  readonly cron: string;
  /** The same, in EventBridge's form: `cron(0 8 * * ? *)`. */
  readonly eventBridgeCron: string;
  /** IANA time zone the cron expression is read in. */
  readonly timezone: string;
  /** The `cbbd` arguments the schedule runs. */
  readonly command: readonly string[];
}

export interface ProjectConfig {
  readonly file: string;
  /** The file's content as parsed, for the container's configuration. */
  readonly document: Readonly<Record<string, unknown>>;
  readonly region: string;
  readonly bucket: string;
  readonly checkpointTable: string;
  /** Enabled schedules only: a schedule with `enabled: false` gets no EventBridge schedule. */
  readonly schedules: readonly ProjectSchedule[];
  /** How the stack is deployed (`aws.deploy`): settings that used to be `cdk -c` flags one had to remember. */
  readonly deploy: DeploySettings;
}

/**
 * `aws.deploy` of config.yaml. Committed with the code, so a plain `cdk deploy` deploys what the pipeline deploys:
 * a flag left out can no longer delete the alarm subscription or the deploy role. `none` says "deliberately absent".
 */
export interface DeploySettings {
  /** Alarm e-mails go here; undefined: subscribe to the topic another way. */
  readonly alarmEmail: string | undefined;
  /** `owner/name` of the repository whose deploy workflow may deploy; undefined: no deploy role. */
  readonly githubRepo: string | undefined;
  /** The GitHub environment (with required reviewers) the deploy job runs in; the role trusts only it. */
  readonly githubEnvironment: string;
  /** The account's GitHub OIDC provider, when it exists already (one per account). */
  readonly githubOidcProviderArn: string | undefined;
  readonly vpcId: string | undefined;
  readonly privateSubnets: boolean;
  /** A run still going after this many hours is stopped (SIGTERM, then the stop timeout), and the night alarms. */
  readonly maxRunHours: number;
}

export class ProjectConfigError extends Error {
  override name = 'ProjectConfigError';
}

export function readProjectConfig(file: string): ProjectConfig {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new ProjectConfigError(`${path}: the project's config.yaml is not there; pass its path with \`cdk synth -c config=<path>\`.`);
  }
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8')) ?? {};
  } catch (error) {
    throw new ProjectConfigError(`${path}: not valid YAML: ${(error as Error).message}`);
  }
  if (!isRecord(document)) throw new ProjectConfigError(`${path}: expected a mapping of sections at the top level.`);
  const aws = isRecord(document.aws) ? document.aws : {};
  const text = (value: unknown, field: string, fallback: string): string => {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !value.trim()) throw new ProjectConfigError(`${path}: ${field}: expected a non-empty string.`);
    return value.trim();
  };
  return {
    file: path,
    document,
    region: text(aws.region, 'aws.region', 'us-east-1'),
    bucket: text(aws.bucket, 'aws.bucket', 'hoops-edge'),
    checkpointTable: text(aws.checkpointTable, 'aws.checkpointTable', 'cbbd_checkpoints'),
    schedules: readSchedules(document.schedules, path),
    deploy: readDeploy(isRecord(aws.deploy) ? aws.deploy : {}, path),
  };
}

function readDeploy(section: Record<string, unknown>, path: string): DeploySettings {
  const at = (field: string) => `${path}: aws.deploy.${field}`;
  const optional = (field: string, pattern: RegExp, example: string): string | undefined => {
    const value = section[field];
    if (value === undefined || value === null || value === 'none') return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) throw new ProjectConfigError(`${at(field)}: expected ${example}, or none.`);
    return value;
  };
  const maxRunHours = section.maxRunHours ?? 6;
  if (typeof maxRunHours !== 'number' || !(maxRunHours >= 1 && maxRunHours <= 24)) throw new ProjectConfigError(`${at('maxRunHours')}: expected hours from 1 to 24.`);
  const environment = section.githubEnvironment ?? 'production';
  if (typeof environment !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(environment)) throw new ProjectConfigError(`${at('githubEnvironment')}: expected a GitHub environment name such as production.`);
  return {
    alarmEmail: optional('alarmEmail', /^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address'),
    githubRepo: optional('githubRepo', /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'owner/name'),
    githubEnvironment: environment,
    githubOidcProviderArn: optional('githubOidcProviderArn', /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, 'the ARN of the account\'s GitHub OIDC provider'),
    vpcId: optional('vpcId', /^vpc-[0-9a-f]+$/, 'a VPC id such as vpc-0abc123'),
    privateSubnets: section.privateSubnets === true,
    maxRunHours,
  };
}

/**
 * The enabled schedules, checked by the CLI's own schema (src/config/schedules.ts: names, cron, time zone, command),
 * and the defaults when the file declares none: those of the project's config.yaml, the one place they are written.
 */
function readSchedules(section: unknown, path: string): ProjectSchedule[] {
  let schedules;
  try {
    schedules = section === undefined || section === null ? defaultSchedules() : parseSchedules(section, path);
  } catch (error) {
    throw new ProjectConfigError((error as Error).message);
  }
  const out: ProjectSchedule[] = [];
  for (const [name, entry] of Object.entries(schedules)) {
    if (!entry.enabled) continue;
    let eventBridgeCron: string;
    try {
      eventBridgeCron = toEventBridgeCron(entry.cron);
    } catch (error) {
      throw new ProjectConfigError(`${path}: schedules.${name}.cron: ${(error as Error).message}`);
    }
    out.push({ name, cron: entry.cron, eventBridgeCron, timezone: entry.timezone, command: entry.command });
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
