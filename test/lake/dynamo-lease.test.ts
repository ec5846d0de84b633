/**
 * The DynamoDB lease's takeover rules on the AWS emulator: a live holder refuses, named; a holder of this host that
 * died (SIGKILL, so it never released) is taken over at once; a holder anywhere whose heartbeat stopped is taken over;
 * the heartbeat keeps a live holder's lease; of concurrent newcomers exactly one wins; a holder that lost its lease
 * hears of it before it would overwrite its taker's run log.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../src/lake/aws.ts';
import { takeLease, type HeldLease, type LeaseOptions } from '../../src/lake/dynamo-lease.ts';
import { HERE, stampText } from '../../src/core/process-alive.ts';
import { awsSettings, moto, motoAvailable, uniqueName } from '../aws.ts';


describe.skipIf(!motoAvailable)(`the DynamoDB lease on the emulator (${moto})`, () => {
  const table = uniqueName('cbbd_leases');
  let dynamo: DynamoDBClient;
  const held: HeldLease[] = [];
  // Each test its own item, so a failure in one cannot block the next.
  const lease = (name: string, more: Partial<LeaseOptions> = {}): LeaseOptions => ({
    dynamo, table, key: { endpoint: { S: '#lease' }, parameter_hash: { S: name } }, what: `the lease ${name}`, ...more,
  });
  const take = async (options: LeaseOptions) => {
    const l = await takeLease(options);
    held.push(l);
    return l;
  };
  const storedHolder = async (options: LeaseOptions) =>
    (await dynamo.send(new GetItemCommand({ TableName: table, Key: options.key, ConsistentRead: true }))).Item;

  beforeAll(async () => {
    dynamo = new DynamoDBClient(awsClientConfig(awsSettings));
    await dynamo.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'endpoint', AttributeType: 'S' }, { AttributeName: 'parameter_hash', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'endpoint', KeyType: 'HASH' }, { AttributeName: 'parameter_hash', KeyType: 'RANGE' }],
    }));
  });
  const serialClients: DynamoDBClient[] = [];
  afterAll(async () => {
    for (const l of held) await l.release();
    dynamo?.destroy();
    for (const c of serialClients) c.destroy();
  });

  it('refuses a newcomer while a live holder has it, naming its host, pid and start; free again once released', async () => {
    const options = lease('live');
    const first = await take(options);
    const since = new Date(first.holder.since).toISOString();
    await expect(takeLease(options)).rejects.toThrow(`Another run holds the lease live: ${hostname()} (pid ${process.pid}) since ${since}`);
    await first.release();
    expect(await storedHolder(options)).toBeUndefined();
    await take(options);
  });

  it('takes over at once from a holder of this host that was killed with SIGKILL', async () => {
    const options = lease('killed');
    // A real holder in its own process, killed by its pid before it can release anything.
    const script = `
      import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
      import { takeLease } from ${JSON.stringify(resolve('src/lake/dynamo-lease.ts'))};
      const dynamo = new DynamoDBClient(${JSON.stringify({ region: awsSettings.region, endpoint: awsSettings.endpoint, credentials: awsSettings.credentials })});
      await takeLease({ dynamo, table: ${JSON.stringify(table)}, key: ${JSON.stringify(options.key)}, what: 'x' });
      process.stdout.write('held\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const gone = new Promise((ok) => child.on('close', ok));
    await new Promise<void>((ok, fail) => {
      child.stdout.setEncoding('utf8').on('data', (s: string) => s.includes('held') && ok());
      child.on('close', (code) => fail(new Error(`the holder exited with ${code} before taking the lease`)));
    });
    expect((await storedHolder(options))?.pid?.N).toBe(String(child.pid));
    await expect(takeLease(options)).rejects.toThrow(`(pid ${child.pid})`); // alive: refused
    process.kill(child.pid!, 'SIGKILL');
    await gone;

    const mine = await take(options);
    expect(mine.holder.pid).toBe(process.pid);
    expect((await storedHolder(options))?.holder?.S).toBe(mine.holder.holder);
  });

  it('takes over from a holder on another host whose heartbeat stopped, and not from one still beating', async () => {
    const options = lease('expired');
    const put = (heartbeatAt: number) => dynamo.send(new PutItemCommand({
      TableName: table,
      Item: {
        ...options.key, holder: { S: 'fargate-task-7:1:abcd' }, host: { S: 'fargate-task-7' }, pid: { N: '1' },
        since: { N: String(Date.parse('2026-01-01T02:00:00Z')) }, heartbeat_at: { N: String(heartbeatAt) }, expires_at: { N: String(heartbeatAt + 300_000) },
      },
    }));
    await put(Date.now() - 60_000); // beat a minute ago: alive, wherever it runs
    await expect(takeLease(options)).rejects.toThrow('Another run holds the lease expired: fargate-task-7 (pid 1) since 2026-01-01T02:00:00.000Z');
    await put(Date.now() - 6 * 60_000); // silent for six minutes: gone
    const mine = await take(options);
    expect((await storedHolder(options))?.holder?.S).toBe(mine.holder.holder);
  });

  it('holds the lease when its write was applied but the answer was lost and the retry found the condition false', async () => {
    // What the SDK does after a dropped connection: the write is sent again, and the second finds the first's item.
    const resending = Object.create(dynamo) as DynamoDBClient;
    let resent = false;
    resending.send = (async (command: unknown) => {
      if (command instanceof PutItemCommand && !resent) {
        resent = true;
        await dynamo.send(command);
      }
      return dynamo.send(command as PutItemCommand);
    }) as DynamoDBClient['send'];
    const mine = await take(lease('answer-lost', { dynamo: resending }));
    expect(resent).toBe(true);
    expect((await storedHolder(lease('answer-lost')))?.holder?.S).toBe(mine.holder.holder);
  });

  it('keeps a live holder\'s lease past its expiry by beating', async () => {
    const options = lease('beating', { heartbeatMs: 200, expiryMs: 1_000 });
    await take(options);
    await new Promise((r) => setTimeout(r, 2_500));
    await expect(takeLease(options)).rejects.toThrow('Another run holds the lease beating');
  });

  // The dead holder either ran on this host (its pid is gone: taken on the holder's identity) or stopped beating.
  it.each([
    ['of this host whose process is gone', () => {
      const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
      return { host: { S: hostname() }, pid: { N: String(deadPid) }, process: { S: stampText({ where: HERE, pid: deadPid, started: '0' }) }, expires_at: { N: String(Date.now() + 300_000) } };
    }],
    ['of another host whose heartbeat stopped', () => ({ host: { S: 'fargate-task-8' }, pid: { N: '1' }, expires_at: { N: String(Date.now() - 1_000) } })],
  ])('lets exactly one of several concurrent newcomers take over a dead holder %s', async (_, deadHolder) => {
    // One connection to the emulator: moto checks a write's condition and applies it without a lock, so two
    // requests handled at once can both pass (a CI run under load saw two winners); DynamoDB's conditional writes are
    // atomic. The newcomers still race through every round of the protocol, interleaved, as this test means them to.
    const serial = new DynamoDBClient({ ...awsClientConfig(awsSettings), requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) } });
    serialClients.push(serial);
    const options = lease(`race-${randomBytes(2).toString('hex')}`, { dynamo: serial });
    await dynamo.send(new PutItemCommand({
      TableName: table, Item: { ...options.key, holder: { S: 'old' }, since: { N: '0' }, heartbeat_at: { N: '0' }, ...deadHolder() },
    }));
    const tries = await Promise.allSettled(Array.from({ length: 6 }, () => takeLease(options)));
    const won = tries.flatMap((t) => (t.status === 'fulfilled' ? [t.value] : []));
    held.push(...won);
    expect(won).toHaveLength(1);
    for (const t of tries) {
      if (t.status === 'rejected') expect(String(t.reason)).toContain(`Another run holds ${options.what}: ${hostname()} (pid ${process.pid})`);
    }
    expect((await storedHolder(options))?.holder?.S).toBe(won[0]!.holder.holder);
  });

  it('refuses while a holder of the same host name in another pid namespace (another container) has not expired, though its pid runs nothing here', async () => {
    const options = lease(`other-ns-${randomBytes(2).toString('hex')}`);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    await dynamo.send(new PutItemCommand({
      TableName: table,
      Item: {
        ...options.key, holder: { S: 'container-b' }, host: { S: hostname() }, pid: { N: String(deadPid) }, since: { N: String(Date.now()) },
        heartbeat_at: { N: String(Date.now()) }, expires_at: { N: String(Date.now() + 300_000) },
        process: { S: stampText({ where: 'abcdef01', pid: deadPid, started: '0' }) },
      },
    }));
    await expect(takeLease(options)).rejects.toThrow(`Another run holds ${options.what}: ${hostname()} (pid ${deadPid})`);
  });

  it('tells a holder whose lease was taken over, before it would write over its taker\'s work', async () => {
    const options = lease('lost', { heartbeatMs: 60_000, expiryMs: 1_000 });
    const stalled = await take(options);
    await new Promise((r) => setTimeout(r, 1_200)); // its heartbeat (every minute) missed the one-second expiry
    const taker = await take(options);
    await expect(stalled.confirm()).rejects.toThrow(`This command lost its lease on the lease lost to ${hostname()} (pid ${process.pid})`);
    await stalled.release(); // leaves the taker's item alone
    expect((await storedHolder(options))?.holder?.S).toBe(taker.holder.holder);
  });
});
