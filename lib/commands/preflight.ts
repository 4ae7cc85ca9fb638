/**
 * `npm run preflight` (and the first step of `npm run deploy`): checks that a
 * deploy can succeed before anything is changed. Exit 0 when every check
 * passes, 1 otherwise, 2 on bad configuration.
 */
import { loadDotEnv } from "../load-env";
import { parseConfig } from "../config/config";
import { printPreflight, runPreflight } from "../checks/preflight";
import { runCommand } from "../process/run-command";
import { readArguments } from "./support/arguments";

await runCommand("preflight", async () => {
  readArguments("usage: npm run preflight", { options: {} });
  loadDotEnv();
  return printPreflight(await runPreflight(parseConfig(process.env))) ? 0 : 1;
});
