/**
 * The one function that makes text from outside (API answers, error messages, stored values) safe to print for a
 * person: control characters are shown escaped (`\x1b`, `\n`), so a hostile or broken answer cannot move the cursor,
 * clear the screen or rewrite what a terminal shows. Machine output (JSON) escapes them by its own rules.
 */

// C0 controls, DEL, and the C1 controls (U+0080-U+009F: a terminal takes U+009B as an escape sequence's start).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character escaped; `keepNewlines` leaves line breaks (a multi-line message) as they are. */
export function escapeControl(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(CONTROL, (c) => (options.keepNewlines && c === '\n' ? c : NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Every string inside a JSON-compatible value escaped (keys included), for a record printed for a person. */
export function escapeControlDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value, { keepNewlines: true }) as T;
  if (Array.isArray(value)) return value.map((v) => escapeControlDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeControl(k), escapeControlDeep(v)])) as T;
  }
  return value;
}
