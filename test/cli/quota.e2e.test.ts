/**
 * The API budget on the command line: real processes against a simulator over HTTP with a small monthly quota, the
 * project's real assets, a real SQLite run log. A plan over the quota is refused before its first call (exit 2, with
 * the numbers and the ways out); `cbbd quota` shows the month from the ledger; `cbbd plan` prints the budget.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSim } from '../../src/sim/serve.ts';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');
let sim: RunningSim;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, scale: 'demo', monthlyCallQuota: 20 });
  const dir = tempDir('cbbd-quota-cli-');
  writeFileSync(join(dir, 'config.yaml'), `assets: ${resolve('assets/index.ts')}\nseasons: { first: 2023, last: 2024 }\nsource: { requestsPerSecond: 100 }\n`);
  env = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_API_BASE_URL: sim.url };
  delete env.CBBD_API_KEY;
  delete env.BEARER_TOKEN;
});
afterAll(async () => {
  await sim.close();
});

/** Run the CLI without blocking this process: the simulator answers from its event loop. */
function cbbd(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 }, (_error, stdout, stderr) => {
      done({ code: child.exitCode, stdout, stderr });
    });
  });
}

describe('the API budget on the command line', () => {
  it('refuses a plan over the quota before any call, says the month, and prints the budget beside the plan', async () => {
    const first = await cbbd('materialize', 'raw/conferences');
    expect(first.code).toBe(0);
    expect(sim.stats.total).toBe(1);

    const plan = await cbbd('plan', 'raw/substitutions', '--season', '2024');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^API budget: about [\d,]+ call\(s\) of 19 left this month \(reported .+ UTC\), reserve 2 \(source.quotaReserve "10%"\): does NOT fit \(17 may be used\)/m);

    const refused = await cbbd('materialize', 'raw/substitutions', '--season', '2024');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cbbd: this run needs about [\d,]+ source API calls, but the API reported 19 left this month \(.+ UTC\), less the reserve of 2 \(source.quotaReserve "10%"\): 17 may be used\. Narrow the run \(one season with --season, a few game days with --from\/--to, fewer assets in the selection; `cbbd plan` shows the calls per asset\), wait for next month's quota, or pass --allow-over-quota to run anyway/);
    expect(sim.stats.total).toBe(1); // refused before its first call

    const quota = await cbbd('quota');
    expect(quota.code).toBe(0);
    const month = new Date().toISOString().slice(0, 7);
    expect(quota.stdout).toContain(`API calls to ${sim.url}, ${month} (UTC), from this run log's records: 1 this month, 1 today`);
    expect(quota.stdout).toMatch(/^\/conferences\s+1\s+1$/m);
    expect(quota.stdout).toMatch(/^Remaining quota: 19 call\(s\), reported at .+; a run may use 17 of them \(reserve 2\)\.$/m);
    const json = JSON.parse((await cbbd('quota', '--json')).stdout) as { month: string; callsThisMonth: number; budget: { available: number } };
    expect(json).toMatchObject({ month, callsThisMonth: 1, budget: { available: 17 } });
  }, 120_000);
});
