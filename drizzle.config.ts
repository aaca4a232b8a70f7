import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --name <what>` writes the next SQL migration from src/db/schema; commit it.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './src/db/migrations',
});
