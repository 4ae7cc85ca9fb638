/**
 * `npm run deploy`: checks that a deploy can work (pre-flight), then creates
 * or repairs every stack in dependency order (`cdktf deploy "*" --auto-approve`),
 * holding the project's lock so that a second deploy, stop or reset waits its
 * turn instead of synthesizing into the same cdktf.out.
 * Exit codes: cdktf's own; 1 when pre-flight fails or the stack is locked; 2 on bad settings.
 */
import { loadDotEnv } from "../load-env";
import { parseConfig } from "../config/config";
import { printPreflight, runPreflight } from "./preflight";
import { acquireProjectLock } from "./project-lock";
import { providerLockFlags, runCdktf } from "./cdktf-cli";
import { runCommand } from "./run-command";
import { PROJECT_ROOT } from "../project-root";

const projectRoot = PROJECT_ROOT;

async function main(): Promise<number> {
  loadDotEnv();
  const config = parseConfig(process.env);
  acquireProjectLock(projectRoot, "npm run deploy");
  if (!printPreflight(await runPreflight(config))) return 1;
  return runCdktf(projectRoot, ["deploy", "*", "--auto-approve", ...providerLockFlags(process.env)], process.env);
}

await runCommand("deploy", main);
