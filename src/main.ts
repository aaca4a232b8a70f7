/**
 * `npm start` and the `orgonaut` command. The filter of oidc-provider's runtime warning is in place before the CLI
 * (and, through it, the library) loads: see util/quiet-oidc-warning.ts.
 */
import './util/quiet-oidc-warning.js';

const { runAndExit } = await import('./cli/main.js');
runAndExit(process.argv.slice(2));
