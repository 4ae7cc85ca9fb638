import { defineConfig } from "vitest/config";

// Tests against a real Cassandra that the global setup starts (npm run test:integration).
export default defineConfig({
  test: {
    include: ["__tests__/integration/**/*.test.ts"],
    globalSetup: ["test-support/cassandra/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    // One server, shared: files run one after another.
    fileParallelism: false,
  },
});
