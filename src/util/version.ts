import { createRequire } from 'node:module';

/** The version of this package (package.json beside src/): the CLI's --version and user agent, the MCP server info. */
export const PACKAGE_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
