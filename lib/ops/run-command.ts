import { ConfigError } from "../config/config";
import { NotDeployedError } from "./health";
import { ProjectLockedError } from "./project-lock";

/**
 * Runs an operating command and sets the exit code: its own result, 1 when
 * the stack is not deployed or another command holds it, 2 on bad
 * configuration (message printed).
 */
export async function runCommand(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (!(error instanceof NotDeployedError || error instanceof ConfigError || error instanceof ProjectLockedError)) throw error;
    console.error(error.message);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  }
}
