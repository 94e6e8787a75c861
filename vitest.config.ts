import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Generous: CI has two cores shared by the JVM, the browser and the workers.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Two cores on CI: keep DynamoDB Local's JVM and the workers from starving each other.
    maxWorkers: 2,
  },
});
