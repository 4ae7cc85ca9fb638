/**
 * `npm run preflight` (and the first step of `npm run deploy`): checks that a
 * deploy can succeed before anything is changed. Exit 0 when every check
 * passes, 1 otherwise, 2 on bad configuration.
 */
import { printPreflight, runPreflight } from "../checks/preflight";
import { defineCommand } from "./support/define-command";

await defineCommand({
  name: "preflight",
  usage: "usage: npm run preflight",
  run: async ({ config, runtime, env }) => (printPreflight(await runPreflight(config, runtime, env)) ? 0 : 1),
});
