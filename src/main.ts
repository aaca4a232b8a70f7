import { main, reportFailure } from './cli/main.js';

/** `npm start` and the `orgonaut` command. */
main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => process.exit(reportFailure(error)),
);
