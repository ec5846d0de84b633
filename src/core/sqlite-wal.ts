/**
 * Switching a SQLite file to write-ahead logging, for every SQLite file this package keeps (run log, checkpoints).
 * SQLite answers SQLITE_BUSY at once to `journal_mode = WAL`, without its busy timeout, while another process opens
 * the same fresh file: two commands started together on a fresh install would otherwise fail one of them.
 */
interface SqliteConnection { pragma(source: string): unknown }

export function useWriteAheadLog(db: SqliteConnection): void {
  for (let attempt = 1; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY') || attempt === 100) throw error;
      // A synchronous pause (the callers open synchronously): 20 ms, up to 2 s in all.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}
