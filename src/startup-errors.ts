/**
 * The start-up problems a person can fix, each reported as one line (no stack). A module of its own, without
 * dependencies, so the CLI recognises them before it has loaded the database engine or the app.
 */

/** A problem that stops start-up (the port, the interface), reported as one line. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** A start-up problem with the database, reported as one clear line. */
export class DatabaseUnavailable extends Error {
  override name = 'DatabaseUnavailable';
}
