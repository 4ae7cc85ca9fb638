import { existsSync } from "node:fs";

/**
 * Loads .env from the working directory if there is one. Variables already
 * set in the environment win over it.
 */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
