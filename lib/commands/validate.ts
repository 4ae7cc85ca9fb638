/**
 * npm run validate
 *
 * Synthesizes the app, then for every stack runs `terraform init` (providers
 * from the mirror when Terraform's CLI configuration names one, else from the
 * registry) and `terraform validate`, which checks every attribute against the
 * provider build's own schema; then plans the Docker stacks against the local
 * engine, applying nothing. The topics and schema stacks are not planned: they
 * need a running broker and Cassandra (npm run deploy shows their plans).
 * Exit codes: 0 all good, 1 a stack failed, 2 bad settings, 130/143 after
 * Ctrl-C/SIGTERM (passed to Terraform, which is waited for).
 */
import { runCommand } from "../process/run-command";
import { readArguments } from "./support/arguments";
import { loadDotEnv } from "../load-env";
import { parseConfig } from "../config/config";
import { synthesizeApp } from "../app";
import { PROJECT_ROOT, SYNTH_DIR } from "../project-root";
import { acquireProjectLock } from "../process/project-lock";
import { checkStack, readSynthesizedStacks, type StackCheck } from "../adapters/terraform/synthesized-stacks";
import { Interrupts } from "../process/interrupts";
import { formatTable } from "../checks/table";

async function main(): Promise<number> {
  loadDotEnv();
  const config = parseConfig(process.env);
  // It synthesizes into and initializes the same cdktf.out a deploy works in.
  acquireProjectLock(PROJECT_ROOT, "npm run validate");
  synthesizeApp(config, PROJECT_ROOT, SYNTH_DIR, process.env, "review");
  const interrupts = new Interrupts("validate").install();
  const checks: StackCheck[] = [];
  try {
    for (const stack of readSynthesizedStacks(SYNTH_DIR)) {
      if (interrupts.interrupted) return interrupts.exitCode;
      const check = await checkStack(stack, process.env, {
        deadlineSeconds: config.terraformDeadlineSeconds,
        interrupts,
      });
      console.error(`validate: ${stack.name} ${check.ok ? "done" : "FAILED"}`);
      checks.push(check);
    }
  } finally {
    interrupts.stop();
  }
  if (interrupts.interrupted) return interrupts.exitCode;
  console.log(
    formatTable(
      ["STACK", "RESULT", "DETAIL"],
      checks.map((c) => [c.stack, c.ok ? "ok" : "FAIL", c.detail]),
    ),
  );
  const failed = checks.filter((c) => !c.ok).length;
  console.log(failed === 0 ? "validate: every stack is valid" : `validate: ${failed} stack(s) failed`);
  return failed === 0 ? 0 : 1;
}

await runCommand("validate", async () => {
  readArguments("usage: npm run validate", { options: {} });
  return main();
});
