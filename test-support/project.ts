import { spawnSync } from "node:child_process";
import { environmentWithoutSettings } from "./project-copy";
import { npmScript } from "./command";

export { APP_ENTRIES, copyProject, environmentWithoutSettings } from "./project-copy";

/** What an npm script printed and how it ended. */
export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout then stderr. */
  readonly output: string;
  readonly seconds: number;
}

/**
 * Runs `npm run --silent <script> [-- args]` in `cwd` as a user would, with
 * none of the app's settings inherited, nor those of a .offline/env: only
 * those in `env` apply. A script
 * still running after `deadlineSeconds` is stopped and the call throws with
 * its last output: a synchronous call is out of reach of the test's timeout.
 */
export function runNpmScript(
  cwd: string,
  script: string,
  env: Record<string, string> = {},
  args: readonly string[] = [],
  deadlineSeconds = 180,
): ScriptRun {
  const started = Date.now();
  const [npm, ...npmArgs] = npmScript(script, ...args);
  const result = spawnSync(npm, npmArgs, {
    cwd,
    encoding: "utf8",
    // The test says every setting itself: a .offline/env in the project is not loaded (see lib/load-env.ts).
    env: { ...environmentWithoutSettings(), CHATBATTLE_OFFLINE_ENV: "not loaded by the tests", ...env },
    timeout: deadlineSeconds * 1000,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") {
    const last = `${result.stdout ?? ""}${result.stderr ?? ""}`.trimEnd().split("\n").slice(-30).join("\n");
    throw new Error(`npm run ${script} did not finish within ${deadlineSeconds} s; its last output:\n${last}`);
  }
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: result.stdout + result.stderr,
    seconds: (Date.now() - started) / 1000,
  };
}
