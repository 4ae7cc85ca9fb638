/**
 * `npm run plan [-- --json]`: what `npm run deploy` would do now, stack by
 * stack, changing nothing: every change classified as losing data (with what
 * it would delete, counted on the live services), restarting a service, or
 * safe; the topic and config changes, the cql/ statements not yet applied,
 * the containers that would be replaced and why. A stack whose service does
 * not run is planned against its recorded state (what it would change once
 * the service is up is checked again by the deploy). Holds the project's lock
 * (it synthesizes into cdktf.out, as deploy does).
 * Exit codes: 0 when nothing would be lost; 3 when something would (a
 * pipeline can require a person then); 1 when a stack could not be planned;
 * 2 on bad settings or usage; 130/143 after Ctrl-C/SIGTERM.
 */
import { deployHooks, deployJudge } from "./support/deploy-hooks";
import { terraformEnvironment } from "./support/deploy-stack";
import { defineCommand } from "./support/define-command";
import { synthesizeApp } from "../app";
import { StackRunner } from "../adapters/terraform/stack-runner";
import { runPrinter } from "./support/run-printer";
import { readSynthesizedStacks } from "../adapters/terraform/synthesized-stacks";
import { kafkaClientTarget } from "../topology/connections";
import { upToDate } from "../checks/up-to-date";
import type { StackPlan } from "../gate/findings";
import { planExitCode, planJson, planReport } from "../gate/report";
import { PROJECT_ROOT, SYNTH_DIR } from "../project-root";
import { CommandError } from "../errors";

await defineCommand({
  name: "plan",
  usage: "usage: npm run plan [-- --json]",
  arguments: { options: { json: { type: "boolean", default: false } } },
  interruptible: true,
  async run({ args, config, env: processEnv, runtime, lock, interrupts }) {
    const json = args.values.json!;
    // With --json, standard output is the JSON alone: everything said on the way goes to standard error.
    const say = json ? (line: string) => console.error(line) : (line: string) => console.log(line);
    if (json) console.log = console.error;
    if (config.target === "local") {
      const engine = await runtime.engine();
      if (!engine.ok) throw new CommandError(engine.detail);
    }
    lock("npm run plan");
    synthesizeApp(config, PROJECT_ROOT, SYNTH_DIR, processEnv, "review");
    const env = terraformEnvironment(config);
    const stacks = readSynthesizedStacks(SYNTH_DIR);
    let plans: StackPlan[];
    const current = await upToDate(SYNTH_DIR, stacks, () => kafkaClientTarget(config, env), runtime);
    if (current.upToDate) {
      say(
        "plan: every stack is as the last deploy left it, and runs as recorded (checked in Docker and on the broker)",
      );
      plans = stacks.map((s) => ({ stack: s.name, how: "planned", findings: [] }));
    } else {
      const printer = runPrinter(
        stacks.map((s) => s.name),
        { command: "plan", log: say },
      );
      const runner = new StackRunner(SYNTH_DIR, {
        env,
        lockTimeoutSeconds: config.stateLockTimeoutSeconds,
        deadlineSeconds: config.terraformDeadlineSeconds,
        interrupts: interrupts(),
        report: printer.event,
      });
      const hooks = await deployHooks(config, env, runtime, {
        allowDataLoss: false,
        readyDeadlineSeconds: config.terraformDeadlineSeconds,
        say: printer.line,
      });
      const judge = deployJudge(config, env, runtime);
      try {
        const results = await runner.plan(hooks);
        if (interrupts().interrupted) return 1;
        plans = [];
        for (const result of results) {
          if (result.how === "failed") {
            plans.push({
              stack: result.stack,
              how: "not-planned",
              note: `its plan failed:\n${result.output}`,
              findings: [],
            });
            continue;
          }
          plans.push({
            stack: result.stack,
            how: result.how === "fresh" ? "planned" : "recorded",
            note:
              result.how === "recorded" ? "its service is not running: planned against its recorded state" : undefined,
            findings: await judge.judge(result.changes),
          });
        }
      } finally {
        await Promise.all([judge.close(), hooks.close()]);
      }
    }
    // In the order a deploy applies them: each stack after those it depends on.
    const depth = (name: string): number =>
      1 + Math.max(0, ...(stacks.find((s) => s.name === name)?.dependencies ?? []).map(depth));
    plans.sort((a, b) => depth(a.stack) - depth(b.stack) || a.stack.localeCompare(b.stack));
    if (json) process.stdout.write(`${JSON.stringify(planJson(plans), null, 2)}\n`);
    else for (const line of planReport(plans)) say(line);
    if (plans.some((p) => p.how === "not-planned")) return 1;
    return planExitCode(plans);
  },
});
