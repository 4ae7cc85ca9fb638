import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["__tests__/**/*.test.ts"],
    exclude: ["__tests__/integration/**", "__tests__/e2e/**", "__tests__/cluster/**"],
    testTimeout: 60_000,
  },
});
