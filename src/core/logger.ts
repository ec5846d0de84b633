/**
 * Structured logging: JSON lines when stderr is not a terminal (CI, ECS, files), readable lines when it is.
 * Every record passes through `redactDeep` here, so a secret never reaches a log whatever the call site passed.
 */
import { createRequire } from 'node:module';
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import type pinoPretty from 'pino-pretty';
import { escapeControl, escapeControlDeep } from './control-chars.ts';
import { redactDeep, redactSecrets } from './redact.ts';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level?: string;
  /** Force readable output (true) or JSON (false); default: readable on a TTY. */
  pretty?: boolean;
  /** Where lines go; default stderr, so stdout stays clean for command output. */
  destination?: DestinationStream;
}

// Required only for a terminal: JSON lines (a container, a schedule's tick, a pipe) never pay for loading it.
const requireModule = createRequire(import.meta.url);

type LineWriter = (text: string) => void;
const writeStderr: LineWriter = (text) => void process.stderr.write(text);
let readableTarget: LineWriter = writeStderr;

/**
 * Send the readable log lines (a terminal's) to `write` until the returned function is called: a progress display
 * prints them above itself, so a warning is never drawn onto the bar's line or cut by it.
 */
export function routeReadableLines(write: LineWriter): () => void {
  readableTarget = write;
  return () => {
    if (readableTarget === write) readableTarget = writeStderr;
  };
}

/**
 * pino-pretty's formatter, fed each JSON record: strings from outside (an API's error body) are printed with their
 * control characters escaped, so they cannot rewrite the screen; the colours pino-pretty adds itself are kept.
 */
function readableDestination(): DestinationStream {
  const { prettyFactory } = requireModule('pino-pretty') as typeof pinoPretty;
  const pretty = prettyFactory({ ignore: 'pid,hostname', translateTime: 'HH:MM:ss', singleLine: true, colorize: Boolean(process.stderr.isTTY) });
  return {
    write(line: string) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        record = undefined;
      }
      readableTarget(record === undefined ? escapeControl(line, { keepNewlines: true }) : pretty(escapeControlDeep(record)));
    },
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const readable = options.pretty ?? Boolean(process.stderr.isTTY);
  const destination = options.destination ?? (readable ? readableDestination() : pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      level: options.level ?? process.env.CBBD_LOG_LEVEL ?? 'info',
      base: undefined,
      formatters: { log: (record) => redactDeep(record) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** A logger that drops everything, for library callers and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
