import { defineConfig } from "vitest/config";

// The cluster target against real Kafka, Cassandra and PostgreSQL servers the test starts (npm run test:cluster).
export default defineConfig({
  test: {
    include: ["__tests__/cluster/**/*.test.ts"],
    // Each step has its own deadline (see __tests__/e2e/steps.ts); these only catch a test's own bugs.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
