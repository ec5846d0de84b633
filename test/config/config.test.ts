import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { redactSecrets } from '../../src/core/redact.ts';
import { tempDir } from '../helpers.ts';

function configFile(text: string): string {
  const file = join(tempDir(), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('fills defaults and resolves paths against the file', () => {
    const file = configFile('seasons: { first: 2015 }\n');
    const config = loadConfig(file, {});
    expect(config.seasons).toEqual({ first: 2015, last: 'current', windowStart: '11-01', windowEnd: '04-30' });
    expect(config.runLog.path).toBe(join(file, '..', '.cbbd', 'runlog.sqlite'));
    expect(config.drivers).toEqual({ storage: 'local', checkpoints: 'sqlite', catalog: 'duckdb' });
    expect(config.apiKey).toBeUndefined();
  });

  it.each([
    ['materialize: { concurrency: two }', 'materialize.concurrency'],
    ['seasons: { windowStart: "02-30" }', 'seasons.windowStart'],
    ['seasons: { first: 2026, last: 2020 }', 'seasons.first'],
    ['runlog: { path: x }', '(top level)'],
    ['source: { baseUrl: not-a-url }', 'source.baseUrl'],
    ['simulator: { faults: { sequence: [teapot] } }', 'simulator.faults.sequence.0'],
    ['simulator: { missingPlaysRate: 2 }', 'simulator.missingPlaysRate'],
    ['source: { quotaReserve: "150%" }', 'source.quotaReserve'],
    ['source: { quotaReserve: ten }', 'source.quotaReserve'],
    ['source: { quotaReserve: -5 }', 'source.quotaReserve'],
    ['simulator: { monthlyCallQuota: 1.5 }', 'simulator.monthlyCallQuota'],
  ])('%s fails naming the file and %s', (text, field) => {
    const file = configFile(text);
    expect(() => loadConfig(file, {})).toThrow(ConfigError);
    expect(() => loadConfig(file, {})).toThrow(`${file}: ${field}:`);
  });

  it('keeps a reserve of 10% of the last remaining figure by default, or the calls or share the file says', () => {
    expect(loadConfig(configFile('seasons: { first: 2015 }\n'), {}).source.quotaReserve).toBe('10%');
    expect(loadConfig(configFile('source: { quotaReserve: 150 }\n'), {}).source.quotaReserve).toBe(150);
    expect(loadConfig(configFile('source: { quotaReserve: "2.5%" }\n'), {}).source.quotaReserve).toBe('2.5%');
    expect(loadConfig(configFile('simulator: { monthlyCallQuota: 1200 }\n'), {}).simulator.monthlyCallQuota).toBe(1_200);
    expect(() => loadConfig(configFile('source: { quotaReserve: ten }\n'), {})).toThrow(/expected a number of calls \(e.g. 100\) or a percentage/);
  });

  it('switches the simulator\'s imperfections and faults from the file', () => {
    const config = loadConfig(configFile('simulator: { missingPlaysRate: 0, possessionsMissingIn: [], lateCorrectionDays: 0, unlistedFields: false, faults: { rates: { "429": 0.1 } } }\n'), {});
    expect(config.simulator).toMatchObject({ missingPlaysRate: 0, possessionsMissingIn: [], lateCorrectionDays: 0, unlistedFields: false, faults: { rates: { 429: 0.1 } } });
    expect(config.checkpoints.path).toMatch(/\.cbbd\/checkpoints\.sqlite$/);
  });

  it('takes secrets and cloud settings from the environment, and registers the key for redaction', () => {
    const config = loadConfig(configFile(''), {
      BEARER_TOKEN: 'bearer-secret-123456', CBBD_CHECKPOINT_TABLE: 'cp_test', AWS_REGION: 'eu-west-1', AWS_PROFILE: 'hoops',
      CBBD_API_BASE_URL: 'http://127.0.0.1:8787',
    });
    expect(config.apiKey).toBe('bearer-secret-123456');
    expect(config.aws).toMatchObject({ checkpointTable: 'cp_test', region: 'eu-west-1', profile: 'hoops' });
    expect(config.source.baseUrl).toBe('http://127.0.0.1:8787');
    expect(redactSecrets('key=bearer-secret-123456')).toBe('key=[REDACTED]');
    expect(loadConfig(configFile(''), { CBBD_API_KEY: 'primary-key-abcdef', BEARER_TOKEN: 'other-key-abcdef' }).apiKey).toBe('primary-key-abcdef');
  });

  it('refuses a config path that does not exist when one is named', () => {
    expect(() => loadConfig('/nonexistent/cbbd.yaml', {})).toThrow(/does not exist/);
  });
});
