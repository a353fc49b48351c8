import { defineConfig } from 'drizzle-kit';

// Used only by `npm run db:generate` to write migrations into drizzle/; the app applies them at start.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/storage/schema.ts',
  out: './drizzle',
});
