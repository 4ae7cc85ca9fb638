/**
 * `npm run preflight` (and the first step of `npm run deploy`): checks that a
 * deploy can succeed before anything is changed. Exit 0 when every check
 * passes, 1 otherwise, 2 on bad configuration.
 */
import { loadDotEnv } from "../load-env";
import { parseConfig, ConfigError } from "../config/config";
import { printPreflight, runPreflight } from "./preflight";

loadDotEnv();
try {
  process.exitCode = printPreflight(await runPreflight(parseConfig(process.env))) ? 0 : 1;
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(new ConfigError(error.problems, "nothing was checked").message);
  process.exitCode = 2;
}
