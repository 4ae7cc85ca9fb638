/**
 * npm run validate
 *
 * Synthesizes the app, then for every stack runs `terraform init` (providers
 * from the mirror when Terraform's CLI configuration names one, else from the
 * registry) and `terraform validate`, which checks every attribute against the
 * provider build's own schema; then plans the Docker stacks against the local
 * engine, applying nothing. The topics and schema stacks are not planned: they
 * need a running broker and Cassandra (npm run deploy shows their plans).
 * Exit codes: 0 all good, 1 a stack failed, 2 bad settings.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { runCommand } from "./run-command";
import { PROJECT_ROOT } from "../project-root";
import { acquireProjectLock } from "./project-lock";
import { checkStack, readSynthesizedStacks } from "./terraform-stacks";
import { formatTable } from "./table";

const projectRoot = PROJECT_ROOT;
const outdir = join(projectRoot, "cdktf.out");

async function main(): Promise<number> {
  // It synthesizes into and initializes the same cdktf.out a deploy works in.
  acquireProjectLock(projectRoot, "npm run validate");
  // The app itself loads .env and validates the settings; a bad one exits 1 with the list.
  const synth = spawnSync(join(projectRoot, "node_modules", ".bin", "tsx"), ["main.ts"], {
    cwd: projectRoot,
    encoding: "utf8",
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 120_000,
  });
  if (synth.status !== 0) {
    console.error("validate: synthesis failed (see above); nothing was validated.");
    return synth.status === 2 ? 2 : 1;
  }
  const checks = readSynthesizedStacks(outdir).map((stack) => {
    const check = checkStack(stack, process.env);
    console.error(`validate: ${stack.name} ${check.ok ? "done" : "FAILED"}`);
    return check;
  });
  console.log(formatTable(["STACK", "RESULT", "DETAIL"], checks.map((c) => [c.stack, c.ok ? "ok" : "FAIL", c.detail])));
  const failed = checks.filter((c) => !c.ok).length;
  console.log(failed === 0 ? "validate: every stack is valid" : `validate: ${failed} stack(s) failed`);
  return failed === 0 ? 0 : 1;
}

await runCommand("validate", main);
