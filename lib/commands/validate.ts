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
import { synthesizeApp } from "../app";
import { PROJECT_ROOT, SYNTH_DIR } from "../project-root";
import { checkStack, readSynthesizedStacks, type StackCheck } from "../adapters/terraform/synthesized-stacks";
import { formatTable } from "../checks/table";
import { defineCommand, type CommandContext } from "./support/define-command";

const ARGUMENTS = { options: {} };

async function main({ config, env, interrupts }: CommandContext<typeof ARGUMENTS>): Promise<number> {
  synthesizeApp(config, PROJECT_ROOT, SYNTH_DIR, env, "review");
  const checks: StackCheck[] = [];
  for (const stack of readSynthesizedStacks(SYNTH_DIR)) {
    if (interrupts().interrupted) return 1;
    const check = await checkStack(stack, env, {
      deadlineSeconds: config.terraformDeadlineSeconds,
      interrupts: interrupts(),
    });
    console.error(`validate: ${stack.name} ${check.ok ? "done" : "FAILED"}`);
    checks.push(check);
  }
  if (interrupts().interrupted) return 1;
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

await defineCommand({
  name: "validate",
  usage: "usage: npm run validate",
  // It synthesizes into and initializes the same cdktf.out a deploy works in.
  arguments: ARGUMENTS,
  takesLock: true,
  interruptible: true,
  run: main,
});
