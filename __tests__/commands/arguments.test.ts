import { describe, expect, it } from "vitest";
import { runNpmScript } from "../../test-support/project";
import { PROJECT_ROOT } from "../../test-support/synth";

// Every command reads its arguments with parseArgs before it does anything: an
// unknown one ends it at once with exit 2 and its usage, changing nothing.
const SCRIPTS = ["deploy", "stop", "reset", "validate", "preflight", "health", "topics", "logs", "schema:verify"];

describe("the commands' arguments", () => {
  it.each(SCRIPTS)("npm run %s -- --no-such-option: exit 2, naming the option and the usage", (script) => {
    const run = runNpmScript(PROJECT_ROOT, script, {}, ["--no-such-option"], 60);
    expect(run.status, run.output).toBe(2);
    expect(run.output).toMatch(/no-such-option/);
    expect(run.output).toMatch(/usage: /);
  });
});
