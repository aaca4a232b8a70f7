/**
 * Unpaired UTF-16 surrogates: JavaScript strings may hold them (a JSON body can write one as `\ud834`), but they
 * are not text, and PostgreSQL refuses them in `jsonb`. Bodies carrying them are refused at the boundary; writes
 * that serialise records to JSON replace any left with U+FFFD.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
/** In JSON text, a surrogate written as an escape (JSON.stringify writes unpaired ones so, paired ones as is). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** A parsed JSON value holding a string (or key) with an unpaired surrogate, found by walking it. */
export function containsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return hasLoneSurrogate(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(containsLoneSurrogate);
  return Object.entries(value).some(([key, field]) => hasLoneSurrogate(key) || containsLoneSurrogate(field));
}

/** Whether JSON text may carry an unpaired surrogate (a cheap scan; confirm by parsing). */
export function mayHoldSurrogateEscape(json: string): boolean {
  return SURROGATE_ESCAPE.test(json);
}

/** JSON.stringify, with unpaired surrogates in strings replaced by U+FFFD (so PostgreSQL accepts it as jsonb). */
export function stringifyWellFormed(value: unknown): string {
  const json = JSON.stringify(value);
  if (!mayHoldSurrogateEscape(json)) return json;
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === 'string' ? field.replace(LONE_SURROGATES, '\ufffd') : field));
}
