import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The app's stylesheet and script, read once at start. Pages link them with `?v=<hash of the content>`, so a
 * browser holding an older copy (they are cached for an hour) fetches the new one as soon as the server is upgraded.
 */
export const CSS = readFileSync(new URL('./static/app.css', import.meta.url), 'utf8');
export const JS = readFileSync(new URL('./static/app.js', import.meta.url), 'utf8');

const version = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
export const CSS_HREF = `/static/app.css?v=${version(CSS)}`;
export const JS_SRC = `/static/app.js?v=${version(JS)}`;
