import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["__tests__/**/*.test.ts"],
    exclude: ["__tests__/integration/**", "__tests__/e2e/**", "__tests__/cluster/**"],
    testTimeout: 60_000,
    // Both cores: vitest's default leaves one free (cores - 1), which on a 2-core machine runs the files
    // one after another, while most of their time is spent waiting on the commands they start.
    maxWorkers: 2,
  },
});
