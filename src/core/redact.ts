/**
 * The one place secrets are scrubbed. Every value registered here (the CBBD API key, UI tokens) is replaced by
 * `[REDACTED]` in anything formatted for a person or a file: log lines, error messages, the run log.
 */
const secrets = new Set<string>();

/** Remember a secret so it never leaves the process in clear text. Short values are ignored (they would redact words). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) secrets.add(value);
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
  // Bearer headers can reach a message before the key was registered (a key read by a library): scrub those too.
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/g, '$1[REDACTED]');
}

/** Redact every string inside a JSON-compatible value. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  // An Error's fields are not enumerable: keep what a reader needs, redacted.
  if (value instanceof Error) {
    return { type: value.name, message: redactSecrets(value.message), ...(value.stack && { stack: redactSecrets(value.stack) }) } as T;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
