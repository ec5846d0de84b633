/**
 * Runs the `cbbd` CLI in a real pseudo-terminal (node-pty: the child gets a tty on stdin, stdout and stderr, with a
 * line discipline, so Ctrl-C is the byte 0x03 turned into SIGINT by the kernel, as in a person's terminal) and renders
 * what it writes with xterm's headless emulator, so a test asserts the screen a person would read: what a carriage
 * return or a cursor movement overwrote is gone, a line wider than the terminal wraps.
 */
import { resolve } from 'node:path';
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';

const BIN = resolve('bin/cbbd.js');

export interface TerminalSession {
  /** Every line of the screen and its scrollback, as rendered (trailing spaces trimmed, trailing empty lines dropped). */
  screen(): string[];
  /** The raw bytes the CLI wrote, for diagnostics. */
  raw(): string;
  /** Type bytes at the keyboard (e.g. '\x03' for Ctrl-C). */
  type(keys: string): void;
  /** Resolves once the screen holds a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code once the CLI exited and the emulator drew everything it wrote. */
  exited: Promise<number>;
  kill(): void;
}

export function runInTerminal(args: readonly string[], options: { cols: number; rows?: number; env: NodeJS.ProcessEnv; cwd?: string }): TerminalSession {
  const rows = options.rows ?? 40;
  const terminal = new xterm.Terminal({ cols: options.cols, rows, scrollback: 5_000, allowProposedApi: true, convertEol: false });
  const env: NodeJS.ProcessEnv = { ...options.env, TERM: 'xterm-256color', COLUMNS: String(options.cols), LINES: String(rows) };
  delete env.CI;
  const child = pty.spawn(process.execPath, [BIN, ...args], { name: 'xterm-256color', cols: options.cols, rows, cwd: options.cwd ?? process.cwd(), env: env as Record<string, string> });
  let raw = '';
  let pending = Promise.resolve();
  child.onData((data) => {
    raw += data;
    pending = pending.then(() => new Promise<void>((ok) => terminal.write(data, ok)));
  });
  const exited = new Promise<number>((ok) => child.onExit(({ exitCode }) => {
    // The last bytes may arrive just after the exit event: give them a moment, then wait for the emulator.
    setTimeout(() => void pending.then(() => ok(exitCode)), 200);
  }));
  const screen = () => {
    const buffer = terminal.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      // A wrapped line continues the one before it: join them back into what was printed as one line.
      const text = line.translateToString(true);
      if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    while (lines.length && lines.at(-1) === '') lines.pop();
    return lines;
  };
  return {
    screen,
    raw: () => raw,
    type: (keys) => child.write(keys),
    waitFor: (pattern, timeoutMs = 60_000) => new Promise((ok, fail) => {
      const started = Date.now();
      const tick = () => {
        void pending.then(() => {
          if (screen().some((l) => pattern.test(l))) return ok();
          if (Date.now() - started > timeoutMs) return fail(new Error(`timed out waiting for ${pattern} on the screen:\n${screen().join('\n')}`));
          setTimeout(tick, 50);
        });
      };
      tick();
    }),
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}
