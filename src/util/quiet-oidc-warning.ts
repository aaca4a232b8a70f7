/**
 * oidc-provider 9 warns on every start that it prefers Node.js 22; we run on Node 20 knowingly (see
 * docs/ARCHITECTURE-oauth.md), and start-up errors must stay one clear line, so that one warning is filtered out.
 * Imported first by the CLI's entry points, because the warning is printed when the library loads.
 */
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
  warn(...args);
};
