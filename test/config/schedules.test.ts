/** The `schedules:` section: defaults, and a bad cron, time zone, name or command fails at start-up saying the fix. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { tempDir } from '../helpers.ts';

function configFile(text: string): string {
  const file = join(tempDir(), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('schedules in config.yaml', () => {
  it('defaults to the nightly at 08:00 UTC and the weekly validate on Sundays at noon', () => {
    expect(loadConfig(configFile(''), {}).schedules).toEqual({
      nightly: { cron: '0 8 * * *', timezone: 'UTC', command: ['materialize', '*', '--season', 'current', '--call-budget', '150'], enabled: true },
      'weekly-validate': { cron: '0 12 * * 0', timezone: 'UTC', command: ['validate'], enabled: true },
    });
    expect(loadConfig(resolveRepoConfig(), {}).schedules.nightly?.cron).toBe('0 8 * * *');
  });

  it('takes schedules from the file: seconds fields, a time zone, enabled: false, or none at all', () => {
    const config = loadConfig(configFile('schedules:\n  teams: { cron: "*/5 * * * * *", timezone: America/New_York, command: [materialize, raw/teams], enabled: false }\n'), {});
    expect(config.schedules).toEqual({ teams: { cron: '*/5 * * * * *', timezone: 'America/New_York', command: ['materialize', 'raw/teams'], enabled: false } });
    expect(loadConfig(configFile('schedules: {}\n'), {}).schedules).toEqual({});
  });

  it.each([
    ['{ cron: "0 25 * * *", command: [validate] }', 'schedules.x.cron: cron "0 25 * * *" is not a cron expression (CronPattern: Invalid value for hour: 25): use five fields'],
    ['{ cron: "every day", command: [validate] }', 'schedules.x.cron: cron "every day" is not a cron expression'],
    ['{ cron: "0 8 * * *", timezone: Mars/Olympus, command: [validate] }', 'schedules.x.timezone: timezone "Mars/Olympus" is not a time zone: use an IANA name such as UTC'],
    ['{ cron: "0 8 * * *", command: [] }', 'schedules.x.command: expected the command after "cbbd"'],
    ['{ cron: "0 8 * * *", command: [serve] }', 'schedules.x.command: a tick cannot run schedule, serve or sim'],
    ['{ cron: "0 8 * * *", command: [validate, --config, other.yaml] }', 'schedules.x.command: leave out --config'],
    ['{ cron: "0 8 * * *", command: [validate], enable: false }', 'schedules.x: Unrecognized key: "enable" (check the spelling'],
  ])('x: %s fails with the file, the field and the fix', (schedule, message) => {
    const file = configFile(`schedules:\n  x: ${schedule}\n`);
    expect(() => loadConfig(file, {})).toThrow(ConfigError);
    expect(() => loadConfig(file, {})).toThrow(`${file}: ${message}`);
  });

  it('refuses a schedule name that cannot be a log field or an AWS rule name', () => {
    const file = configFile('schedules:\n  "night ly": { cron: "0 8 * * *", command: [validate] }\n');
    expect(() => loadConfig(file, {})).toThrow(`${file}: schedules.night ly: "night ly" is not a schedule name`);
  });
});

function resolveRepoConfig(): string {
  return join(import.meta.dirname, '..', '..', 'config.yaml');
}
