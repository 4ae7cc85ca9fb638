import { ConfigError } from "../config/config";
import { NotDeployedError } from "./health";

/**
 * Runs an operating command and sets the exit code: its own result, 1 when
 * the stack is not deployed, 2 on bad configuration (message printed).
 */
export async function runCommand(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (!(error instanceof NotDeployedError || error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  }
}
