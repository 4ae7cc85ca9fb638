import { defineConfig } from "vitest/config";

// The app's own commands against a real Docker engine and real servers (npm run test:e2e).
export default defineConfig({
  test: {
    include: ["__tests__/e2e/**/*.test.ts"],
    // Each step has its own deadline (see __tests__/e2e/steps.ts); these only catch a test's own bugs.
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
  },
});
