/**
 * Queries built with Kysely, run synchronously on better-sqlite3: inside a transaction no await may let another
 * step's writes in. Each distinct SQL text is prepared once and reused (a backfill records thousands of rows per step).
 */
import type Database from 'better-sqlite3';
import type { Compilable } from 'kysely';

export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private prepare(query: Compilable): { statement: Database.Statement; parameters: readonly unknown[] } {
    const { sql, parameters } = query.compile();
    let statement = this.cache.get(sql);
    if (!statement) this.cache.set(sql, (statement = this.db.prepare(sql)));
    return { statement, parameters };
  }

  run(query: Compilable): Database.RunResult {
    const { statement, parameters } = this.prepare(query);
    return statement.run(...parameters);
  }

  all<T>(query: Compilable<T>): T[] {
    const { statement, parameters } = this.prepare(query);
    return statement.all(...parameters) as T[];
  }

  get<T>(query: Compilable<T>): T | undefined {
    const { statement, parameters } = this.prepare(query);
    return statement.get(...parameters) as T | undefined;
  }
}
