/**
 * One base error with a subclass per phase. Messages say what was wrong and how to fix it; the CLI prints them
 * without a stack trace, and `redactSecrets` runs over them where they are formatted (see `redact.ts`).
 */
export type ErrorPhase = 'config' | 'definition' | 'plan' | 'storage' | 'source' | 'execution' | 'usage';

export class CbbdError extends Error {
  readonly phase: ErrorPhase;
  constructor(phase: ErrorPhase, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.phase = phase;
    this.name = new.target.name;
  }
}

/** `config.yaml` or an environment variable holds a bad value. */
export class ConfigError extends CbbdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
  }
}

/** An asset declaration is invalid (bad key, schema, dependency, cycle). */
export class DefinitionError extends CbbdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('definition', message, options);
  }
}

/** A selection or partition filter cannot be planned (unknown asset, bad season or date). */
export class PlanError extends CbbdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('plan', message, options);
  }
}

/** A run cannot start or continue (another run holds the partitions, the run log is unusable). */
export class ExecutionError extends CbbdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('execution', message, options);
  }
}

/**
 * A run refused because another run holds what it needs (its partitions, the cloud run log's lease): expected when
 * runs overlap, not a failure of this one. The CLI prints it as `cbbd refused: …` and exits 75 (EX_TEMPFAIL, "try again
 * later"), so the error-log alarm stays quiet and a scheduler retries it.
 */
export class RefusedError extends ExecutionError {}

/** The data source failed: an HTTP error, a bad body, a refused key. `retryable` says whether trying again may help. */
export class SourceError extends CbbdError {
  readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super('source', message, options);
    this.retryable = options?.retryable ?? false;
  }
}

/**
 * A step failed for a reason retrying cannot fix: an input that was never materialized or is unreadable, rows
 * without their key, a result that does not fit the declared schema. Never retried; the message says what to do.
 */
export class PermanentError extends CbbdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('execution', message, options);
  }
}

/**
 * Whether computing a failed step again may help. Misuse (definition, config, plan, usage), a permanent failure and
 * a source error that says so will not get better; storage trouble, a retryable source error and an error of no
 * kind of ours (a socket reset inside a driver) may.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof CbbdError)) return true;
  if (error instanceof SourceError) return error.retryable;
  return error.phase === 'storage';
}

/** Object storage, checkpoints or catalog failed; the message starts with `[kind:driver]`. */
export class StorageError extends CbbdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage', message, options);
  }
}

/** Command-line misuse: the CLI exits with status 2. */
export class UsageError extends CbbdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', message, options);
  }
}

/** A plain, serializable form of any thrown value, for the run log and JSON output. */
export interface SerializedError {
  name: string;
  message: string;
  phase?: ErrorPhase;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof CbbdError) return { name: error.name, message: error.message, phase: error.phase, stack: error.stack };
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}
