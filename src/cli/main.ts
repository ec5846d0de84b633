/**
 * The `cbbd` command line. Commands parse arguments, call the library and print; only this file exits the process.
 * Exit codes: 0 all succeeded, 1 something failed (or a run was refused), 2 usage or configuration error.
 */
import { readdirSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CbbdError, RefusedError } from '../core/errors.ts';
import { escapeControl } from '../core/control-chars.ts';
import { redactSecrets } from '../core/redact.ts';
import type { CommandContext, GlobalOptions } from './context.ts';

// Start-up is paid by every command: each action imports its command module (and, through it, DuckDB, the AWS SDK,
// the simulator...) only when it runs, so `cbbd --help` loads commander and little else. New commands follow the
// pattern: `const { xCommand } = await import('./commands/x.ts')` inside the action.

const program = new Command('cbbd')
  .description('Keep a college-basketball lakehouse of the CBBD API up to date, asset by asset.')
  .option('--config <file>', 'configuration file (default: config.yaml, or $CBBD_CONFIG)')
  .option('--assets <module>', 'module declaring the assets (default: "assets" in config.yaml)')
  .showHelpAfterError('(add --help to the command to see what it accepts)')
  .addHelpText('after', '\nThe project may add commands of its own (its assets module\'s "extensions", docs/assets.md), not listed here:\n`cbbd <command> --help` shows one.')
  .exitOverride();

function withFilters(command: Command): Command {
  return command
    .option('--season <season>', 'one season, e.g. 2024, or "current" (the season in progress, or the last one ended)')
    .option('--seasons <from-to>', 'a range of seasons, e.g. 2020-2024')
    .option('--date <date>', 'one game day, e.g. 2024-01-15')
    .option('--from <date>', 'first game day')
    .option('--to <date>', 'last game day')
    .option('--json', 'print JSON');
}

/** `writes`: the command changes the lakehouse or the run log (in the cloud it must hold the run-log lease). */
async function run(action: (ctx: CommandContext) => Promise<number>, writes = false): Promise<void> {
  const { openContext } = await import('./context.ts');
  const ctx = await openContext(program.opts<GlobalOptions>(), { writes });
  try {
    process.exitCode = await action(ctx);
  } finally {
    await ctx.close();
  }
}

withFilters(program.command('plan').argument('[selection]', 'assets: key, layer/*, +key, key+, a,b', '*'))
  .description('show every stale partition of a selection, why it is stale, and the API calls it will take')
  .addOption(new Option('--force', 'plan every selected partition'))
  .option('--call-budget <calls>', 'plan the run within this many source API calls, by priority (see "The nightly\'s call budget" in docs/guide.md)')
  .action((selection: string, options) => run(async (ctx) => (await import('./commands/plan.ts')).planCommand(ctx, selection, options)));

withFilters(program.command('materialize').argument('<selection>', 'assets: key, layer/*, +key, key+, a,b'))
  .description('compute the stale partitions of a selection in dependency order')
  .option('--force', 'recompute every selected partition, stale or not')
  .option('--dry-run', 'print the plan and stop')
  .option('--concurrency <n>', 'steps at once (default: materialize.concurrency in config.yaml)')
  .option('--call-budget <calls>', 'make at most about this many source API calls: scores, box scores and plays first; per-game substitutions and lineups and weekly refreshes wait a night or two when it is spent')
  .option('--allow-over-quota', 'run even if the estimated API calls exceed the month\'s remaining quota less source.quotaReserve')
  .action((selection: string, options) => run(async (ctx) => (await import('./commands/materialize.ts')).materializeCommand(ctx, selection, options), !options.dryRun));

program
  .command('status')
  .argument('[selection]', 'assets: key, layer/*, +key, key+, a,b', '*')
  .option('--season <season>', 'one season, e.g. 2024, or "current" (default: the seasons with data and the season in progress)')
  .option('--seasons <from-to>', 'a range of seasons, e.g. 2020-2024')
  .option('--json', 'print JSON')
  .description('per asset: partitions fresh, stale, missing and failed, and the last run')
  .action((selection: string, options) => run(async (ctx) => (await import('./commands/status.ts')).statusCommand(ctx, selection, options)));

program
  .command('quota')
  .option('--json', 'print JSON')
  .description('API calls this month and today by endpoint, the last remaining quota the API reported, and the pace')
  .action((options) => run(async (ctx) => (await import('./commands/quota.ts')).quotaCommand(ctx, options)));

program
  .command('query')
  .argument('<sql>', 'one read-only statement, e.g. "select count(*) from silver.fct_plays"')
  .option('--format <format>', 'table, csv or json', 'table')
  .description('run read-only SQL over the lakehouse tables (bronze.*, silver.*, gold.*)')
  .action((sql: string, options) => run(async (ctx) => (await import('./commands/query.ts')).queryCommand(ctx, sql, options)));

program
  .command('show')
  .argument('<asset>', 'a bronze, silver or gold table, e.g. gold/team_power_rankings')
  .option('--season <season>', 'the season to read (default: the latest one stored)')
  .option('--date <date>', 'one game day or rating date, e.g. 2024-01-15')
  .option('--limit <n>', 'rows to print (1-1000)', '25')
  .option('--format <format>', 'table, csv or json', 'table')
  .option('--columns <a,b,c>', 'print these columns, in this order (default on a terminal: key and name columns first, as many as fit its width)')
  .description("print the first rows of an asset's partitions, in its natural order (no SQL needed)")
  .action((asset: string, options) => run(async (ctx) => (await import('./commands/show.ts')).showCommand(ctx, asset, options)));

const deadletter = program
  .command('deadletter')
  .description('responses the API sent that could not be used (kept in deadletter/, never written as data)');
deadletter
  .command('list', { isDefault: true })
  .option('--json', 'print JSON')
  .description('list the dead letters: request, reason, and the asset partitions they were for')
  .action((options) => run(async (ctx) => (await import('./commands/deadletter.ts')).deadLetterListCommand(ctx, options)));
deadletter
  .command('replay')
  .description('materialize again the partitions the dead letters were for; remove the letters that now succeed')
  .action(() => run(async (ctx) => (await import('./commands/deadletter.ts')).deadLetterReplayCommand(ctx), true));

program
  .command('backfill')
  .description('materialize every asset of every configured season (or --seasons), newest season first; resumes where a killed backfill stopped')
  .option('--seasons <from-to>', 'a range of seasons, e.g. 2010-2026 (default: seasons in config.yaml)')
  .option('--season <season>', 'one season, e.g. 2024')
  .option('--concurrency <n>', 'steps at once (default: materialize.concurrency in config.yaml)')
  .option('--allow-over-quota', 'run even if a season\'s estimated API calls exceed the month\'s remaining quota less source.quotaReserve')
  .option('--json', 'print JSON')
  .action((options) => run(async (ctx) => (await import('./commands/backfill.ts')).backfillCommand(ctx, options), true));

program
  .command('validate')
  .argument('[selection]', 'assets: key, layer/*, +key, key+, a,b', '*')
  .option('--season <season>', 'one season, e.g. 2024')
  .option('--seasons <from-to>', 'a range of seasons, e.g. 2020-2024')
  .option('--json', 'print JSON')
  .description('run every check again over the stored partitions; exit 1 when one fails (outcomes go to the run log, see cbbd status)')
  .action((selection: string, options) => run(async (ctx) => (await import('./commands/validate.ts')).validateCommand(ctx, selection, options), true));

program
  .command('fetch')
  .argument('<endpoint>', 'an API path (/games, /plays/game/{gameId}) or the cbbd package function (getGames)')
  .option('--params <json>', 'the parameters as a JSON object, e.g. \'{"season": 2024}\'')
  .option('--summary', 'print a summary (records, fields, the first record) instead of the JSON')
  .description('make one API call through the normal client and print it (writes nothing to the lakehouse; the call counts against the quota)')
  .action((endpoint: string, options) => run(async (ctx) => (await import('./commands/fetch.ts')).fetchCommand(ctx, endpoint, options)));

const runs = program.command('runs').description('recent runs, and one run\'s summary (`cbbd runs show <run>`)');
runs
  .command('list', { isDefault: true })
  .option('--limit <n>', 'runs to list, newest first', '20')
  .option('--json', 'print JSON')
  .description('recent runs: id, start, duration, selection, outcome, partitions, API calls')
  .action((options) => run(async (ctx) => (await import('./commands/runs.ts')).runsListCommand(ctx, options)));
runs
  .command('show')
  .argument('<run>', 'a run id, e.g. r20240115-083000-a1b2c3')
  .option('--json', 'print JSON (the same as meta/runs/<run>.json)')
  .description('a run\'s summary: selection, partitions by outcome, rows, bytes, API calls per endpoint, durations, failures')
  .action((runId: string, options) => run(async (ctx) => (await import('./commands/runs.ts')).runsShowCommand(ctx, runId, options)));
runs
  .command('cancel')
  .argument('<run>', 'the id of a running run, e.g. r20240115-083000-a1b2c3')
  .option('--wait', 'wait until the run has stopped, and print how it ended')
  .description('ask a running run (in any process on this run log) to stop as on SIGTERM: no new step, nothing half-committed')
  .action((runId: string, options) => run(async (ctx) => (await import('./commands/runs.ts')).runsCancelCommand(ctx, runId, options)));

program
  .command('serve')
  .description('serve the lineage page and its JSON API')
  .option('--port <port>', 'port to listen on', '3000')
  .option('--host <host>', 'address to bind (changes always need the UI token; beyond loopback, API reads too)', '127.0.0.1')
  .option('--no-schedules', 'do not run the schedules of config.yaml beside the page')
  .action((options) => run(async (ctx) => (await import('./commands/serve.ts')).serveCommand(ctx, { ...options, assets: program.opts<GlobalOptions>().assets }), true));

program
  .command('schedule')
  .description('run the schedules of config.yaml in the foreground, each tick a cbbd command (without the page)')
  .option('--list', 'print the schedules with their next and recent ticks, and exit')
  .option('--json', 'with --list: print JSON')
  .action(async (options) => {
    const { scheduleCommand } = await import('./commands/schedule.ts');
    process.exitCode = await scheduleCommand({ ...options, ...program.opts<GlobalOptions>() });
  });

program
  .command('sim')
  .description('serve the built-in CBBD simulator over HTTP (the world the in-process source uses by default)')
  .option('--port <port>', 'port to listen on', '8787')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--scale <scale>', 'demo (a few conferences, fast) or full (about 362 Division I teams)')
  .option('--seed <seed>', 'seed of the simulated world')
  .option('--memoize', 'answer a repeated request with the body built the first time (benchmarks; holds every body in memory)')
  .option('--quota <calls>', 'calls each API key may make per month of the simulator\'s clock (default: simulator.monthlyCallQuota, 1,000,000)')
  .action(async (options) => {
    const { simCommand } = await import('./commands/sim.ts');
    process.exitCode = await simCommand({ ...options, config: program.opts<GlobalOptions>().config });
  });

/** The global options and the first word naming a command (and the one after it, for `cbbd help <command>`). */
function commandLine(args: readonly string[]): { global: GlobalOptions; words: string[] } {
  const global: GlobalOptions = {};
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const option = /^--(config|assets)(?:=(.*))?$/.exec(arg);
    if (option) {
      global[option[1] as keyof GlobalOptions] = option[2] ?? args[++i];
    } else if (!arg.startsWith('-')) words.push(arg);
  }
  return { global, words };
}

/**
 * The project's own commands (its module's `extensions.commands`, `project-extensions.ts`), registered before the
 * command line is parsed, only when it names a command that is not one of cbbd's (`cbbd gaps`, `cbbd gaps --help`,
 * `cbbd help gaps`). cbbd's own commands and `cbbd --help` start without loading the project module for this (it
 * costs 0.1-0.2 s: the asset modules), so `cbbd --help` lists cbbd's commands and says how to see the project's. A
 * project command never replaces one of cbbd's.
 */
async function registerProjectCommands(args: readonly string[]): Promise<void> {
  const { global, words } = commandLine(args);
  const name = words[0] === 'help' ? words[1] : words[0];
  if (name === undefined || program.commands.some((c) => c.name() === name || c.aliases().includes(name))) return;
  const { loadConfig } = await import('../config/config.ts');
  const { loadProjectExtensions } = await import('./project-extensions.ts');
  let commands: Awaited<ReturnType<typeof loadProjectExtensions>>['commands'] = [];
  try {
    ({ commands = [] } = await loadProjectExtensions(global.assets ?? loadConfig(global.config).assets));
  } catch (error) {
    // A typo of one of cbbd's commands must still get commander's "unknown command" and its suggestion; say why the
    // project's commands are not there, in one line, and go on.
    process.stderr.write(`cbbd: the project's commands could not be loaded: ${(error as Error).message.split('\n')[0]}\n`);
    return;
  }
  for (const command of commands) {
    if (program.commands.some((c) => c.name() === command.name)) continue;
    const registered = program.command(command.name).description(command.description);
    for (const option of command.options ?? []) registered.option(option.flags, option.description, option.defaultValue);
    registered.action((options: Record<string, unknown>) => run(async (ctx) => {
      const { projectCommandContext } = await import('./context.ts');
      return command.run(projectCommandContext(ctx), options);
    }, command.writes === true));
  }
}

/**
 * The exit code of a command left waiting on something that never settles, so that Node ends it for want of work:
 * 13, as Node gives an unsettled top-level await. Never 0, which a scheduler would count as a success.
 */
const UNSETTLED = 13;
/** The exit code of a run refused because another run holds what it needs (RefusedError): EX_TEMPFAIL. */
const REFUSED = 75;

/**
 * When a command got more arguments than it takes and several of them are names in the current folder, the shell
 * expanded an unquoted `*` (a selection such as `materialize *`) into the folder's files: say so, and how to quote it.
 */
export function expandedGlobHint(args: readonly string[], cwd = process.cwd()): string | undefined {
  let names: Set<string>;
  try {
    names = new Set(readdirSync(cwd));
  } catch {
    return undefined;
  }
  const files = args.filter((a) => !a.startsWith('-') && names.has(a));
  if (files.length < 2) return undefined;
  const typed = args.map((a) => (files.includes(a) ? undefined : a));
  const first = typed.findIndex((a) => a === undefined);
  const command = [...typed.slice(0, first), "'*'", ...typed.slice(first).filter((a): a is string => a !== undefined)];
  return `cbbd: the shell expanded an unquoted * into the ${files.length} files and folders here (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''}). ` +
    `Quote it: cbbd ${command.join(' ')}`;
}

/** Runs the command line; only the exit code (process.exitCode) and what was printed come out of it. */
async function main(argv: readonly string[]): Promise<void> {
  process.exitCode = UNSETTLED;
  try {
    await registerProjectCommands(argv.slice(2));
    await program.parseAsync(argv);
    if (process.exitCode === UNSETTLED) process.exitCode = 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      process.exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
      if (error.code === 'commander.excessArguments') {
        const hint = expandedGlobHint(argv.slice(2));
        if (hint) process.stderr.write(`${hint}\n`);
      }
    } else if (error instanceof RefusedError) {
      // Another run holds what this one needs: expected when runs overlap, so not an error line (the cloud's error
      // alarm counts `cbbd: ` lines); 75 is EX_TEMPFAIL, which the scheduled runs' state machine retries.
      process.stderr.write(`cbbd refused: ${escapeControl(redactSecrets(error.message.replace(/^Refused: /, '')), { keepNewlines: true })}\n`);
      process.exitCode = REFUSED;
    } else if (error instanceof CbbdError) {
      process.stderr.write(`cbbd: ${escapeControl(redactSecrets(error.message), { keepNewlines: true })}\n`);
      process.exitCode = error.phase === 'execution' || error.phase === 'source' || error.phase === 'storage' ? 1 : 2;
    } else {
      process.stderr.write(`cbbd: unexpected error: ${escapeControl(redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error)), { keepNewlines: true })}\n`);
      process.exitCode = 1;
    }
  }
}

// Not a top-level await: a command left waiting on something that never settles ends with UNSETTLED, without Node's
// warning about an unsettled top-level await.
void main(process.argv);
