/**
 * Text PostgreSQL cannot store: unpaired UTF-16 surrogates (JavaScript strings may hold them, a JSON body can write
 * one as `\ud834`, but they are not text and `jsonb` refuses them) and NUL characters (`text` refuses them). Requests
 * carrying either are refused at the boundary; writes that serialise records to JSON replace any left with U+FFFD.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
/** A NUL character: text cannot hold it in PostgreSQL. */
const NUL = '\u0000';
/** In JSON text, a NUL written as an escape (JSON cannot hold it raw). */
const NUL_ESCAPE = /\\u0000/;

/** In JSON text, a surrogate written as an escape (JSON.stringify writes unpaired ones so, paired ones as is). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/** What makes a string unstorable as text, or null: a NUL character or an unpaired surrogate. */
export function unstorableText(text: string): 'surrogate' | 'nul' | null {
  if (text.includes(NUL)) return 'nul';
  return LONE_SURROGATE.test(text) ? 'surrogate' : null;
}

/** The first unstorable string (value or key) in a parsed JSON value, by why; null when there is none. */
export function findUnstorableText(value: unknown): 'surrogate' | 'nul' | null {
  if (typeof value === 'string') return unstorableText(value);
  if (typeof value !== 'object' || value === null) return null;
  for (const item of Array.isArray(value) ? value : Object.entries(value).flat()) {
    const found = findUnstorableText(item);
    if (found) return found;
  }
  return null;
}

/** Whether JSON text may carry unstorable text (a cheap scan for the escapes; confirm by parsing). */
export function mayHoldUnstorableEscape(json: string): boolean {
  return SURROGATE_ESCAPE.test(json) || NUL_ESCAPE.test(json);
}

/**
 * JSON.stringify, with unpaired surrogates and NUL characters in strings replaced by U+FFFD, so PostgreSQL accepts
 * it as jsonb (the boundary refuses both; this keeps a write from other sources, such as a file, from failing).
 */
export function stringifyWellFormed(value: unknown): string {
  const json = JSON.stringify(value);
  if (!mayHoldUnstorableEscape(json)) return json;
  return JSON.stringify(value, (_key, field: unknown) =>
    typeof field === 'string' ? field.replace(LONE_SURROGATES, '\ufffd').replaceAll(NUL, '\ufffd') : field,
  );
}
