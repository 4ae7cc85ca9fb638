import { defineConfig } from "vitest/config";

// The synthesized stack against real servers on Docker (npm run test:stack).
export default defineConfig({
  test: {
    include: ["__tests__/stack/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
