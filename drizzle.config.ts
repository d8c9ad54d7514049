import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new SQL migration from the schema; migrations are committed
// and applied at start-up by the engine (src/main/core/ledger/database.ts).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/main/core/ledger/schema.ts',
  out: './resources/migrations',
});
