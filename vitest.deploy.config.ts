import { defineConfig } from 'vitest/config';

/**
 * `npm run test:deploy`: the slow tests (a production build and install in a clean folder, a few
 * minutes), run by CI as a step of their own so that `npm test` stays quick.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.slow.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 15 * 60_000,
  },
});
