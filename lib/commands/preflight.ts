/**
 * `npm run preflight` (and the first step of `npm run deploy`): checks that a
 * deploy can succeed before anything is changed. Exit 0 when every check
 * passes, 1 otherwise, 2 on bad configuration.
 */
import { parseArgs } from "node:util";
import { loadDotEnv } from "../load-env";
import { UsageError } from "../errors";
import { parseConfig } from "../config/config";
import { printPreflight, runPreflight } from "../checks/preflight";
import { runCommand } from "../process/run-command";

await runCommand("preflight", async () => {
  try {
    parseArgs({ options: {}, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: npm run preflight`);
  }
  loadDotEnv();
  return printPreflight(await runPreflight(parseConfig(process.env))) ? 0 : 1;
});
