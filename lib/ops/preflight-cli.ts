/**
 * `npm run preflight` (and the first step of `npm run deploy`): checks that a
 * deploy can succeed before anything is changed. Exit 0 when every check
 * passes, 1 otherwise, 2 on bad configuration.
 */
import { loadDotEnv } from "../load-env";
import { parseConfig, ConfigError } from "../config/config";
import { runPreflight } from "./preflight";

loadDotEnv();
try {
  const results = await runPreflight(parseConfig(process.env));
  const width = Math.max(...results.map((r) => r.check.length));
  for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"}  ${r.check.padEnd(width)}  ${r.detail}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed === 0 ? "preflight: ready to deploy" : `preflight: ${failed} problem(s); nothing was changed`);
  process.exitCode = failed === 0 ? 0 : 1;
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(new ConfigError(error.problems, "nothing was checked").message);
  process.exitCode = 2;
}
