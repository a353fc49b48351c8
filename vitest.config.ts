import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Slow tests (a production build in a clean folder) run as `npm run test:deploy`.
    exclude: [...configDefaults.exclude, 'test/**/*.slow.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // End-to-end tests start real servers and child processes; two cores, so two workers.
    maxWorkers: 2,
  },
});
