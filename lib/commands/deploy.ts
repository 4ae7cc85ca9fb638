/**
 * `npm run deploy [-- --allow-data-loss]`: checks that a deploy can work
 * (pre-flight), pulls the images that are not here (all at once, with their
 * progress), synthesizes, then creates or repairs every stack with
 * Terraform, each as soon as the stacks it depends on are done and the
 * service it talks to is ready (see stack-runner.ts). It never deletes or
 * replaces a topic or a volume unless --allow-data-loss is given: such a
 * plan is refused with what it would lose. Holds the project's lock: a
 * second deploy, stop, reset or validate started meanwhile ends at once,
 * naming this one.
 * Exit codes: 0; 1 when pre-flight or a stack fails, data would be lost, or
 * the stack is locked; 2 on bad settings or usage; 130 after Ctrl-C, 143
 * after SIGTERM (Terraform saved its state first).
 *
 * CHATBATTLE_TIMINGS_FILE names a file to write each step's time to, as JSON
 * (npm run bench reads it).
 */
import { writeFileSync } from "node:fs";
import { loadDotEnv } from "../load-env";
import { parseConfig } from "../config/config";
import { serviceEndpoints, synthesizeApp } from "../app";
import { printPreflight, runPreflight } from "../checks/preflight";
import { acquireProjectLock } from "../process/project-lock";
import { StackRunner } from "../adapters/terraform/stack-runner";
import { readSynthesizedStacks } from "../adapters/terraform/synthesized-stacks";
import { kafkaClientTarget } from "../adapters/kafka/kafka-admin";
import { removeDeployedStamp, upToDate, writeDeployedStamp } from "../checks/up-to-date";
import { runCommand } from "../process/run-command";
import { readArguments } from "./support/arguments";
import { Interrupts } from "../process/interrupts";
import { deployHooks } from "./support/deploy-hooks";
import { pullMissingImages } from "./support/image-pulls";
import { PROJECT_ROOT, SYNTH_DIR } from "../project-root";
import { CommandError } from "../errors";

const USAGE = "usage: npm run deploy [-- --allow-data-loss]";

async function main(allowDataLoss: boolean): Promise<number> {
  const started = Date.now();
  loadDotEnv();
  const config = parseConfig(process.env);
  acquireProjectLock(PROJECT_ROOT, "npm run deploy");
  const interrupts = new Interrupts("deploy").install();
  try {
    if (!printPreflight(await runPreflight(config))) return 1;
    if (interrupts.interrupted) return interrupts.exitCode;
    if (config.target === "local") {
      const pulled = await pullMissingImages(config, { say: (line) => console.log(line), inPlace: process.stdout.isTTY === true, signal: interrupts.signal });
      if (interrupts.interrupted) return interrupts.exitCode;
      if (!pulled) return 1;
    }

    const synthStarted = Date.now();
    synthesizeApp(config, PROJECT_ROOT, SYNTH_DIR);
    const synthSeconds = (Date.now() - synthStarted) / 1000;

    // The Kafka provider reads the CA file from KAFKA_CA_CERT in cdktf.out/stacks/topics: give it the absolute path.
    const caFile = config.kafkaCluster?.caFile;
    const env = caFile ? { ...process.env, KAFKA_CA_CERT: caFile } : process.env;
    // Nothing changed since the last deploy, and everything runs as it left it: done, without Terraform.
    const stacks = readSynthesizedStacks(SYNTH_DIR);
    const current = await upToDate(SYNTH_DIR, stacks, () => kafkaClientTarget(config, env, () => serviceEndpoints(config, PROJECT_ROOT).kafkaBrokers));
    if (current.upToDate) {
      console.log("deploy: every stack is as the last deploy left it, and runs as recorded (checked in Docker and on the broker); nothing to do.");
      console.log(`deploy: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    if (current.why) console.log(`deploy: planning every stack: ${current.why}`);
    removeDeployedStamp(SYNTH_DIR);
    const runner = new StackRunner(SYNTH_DIR, {
      env,
      lockTimeoutSeconds: config.stateLockTimeoutSeconds,
      deadlineSeconds: config.terraformDeadlineSeconds,
      interrupts,
    });
    const hooks = deployHooks(config, env, {
      allowDataLoss,
      readyDeadlineSeconds: config.terraformDeadlineSeconds,
      say: (stack, line) => runner.print(stack, line),
    });
    const result = await runner.deploy(hooks).finally(() => hooks.close());

    const seconds = (Date.now() - started) / 1000;
    if (process.env.CHATBATTLE_TIMINGS_FILE) {
      writeFileSync(process.env.CHATBATTLE_TIMINGS_FILE, JSON.stringify({ seconds, synthSeconds, steps: result.timings }, null, 2));
    }
    if (interrupts.interrupted) {
      console.error(
        interrupts.cutShort
          ? "deploy: stopped at once; npm run deploy carries on from there, adopting what Terraform had no time to record."
          : "deploy: interrupted; Terraform saved what it had done. npm run deploy carries on from there.",
      );
      return interrupts.exitCode;
    }
    if (result.refused.length > 0) {
      throw new CommandError(
        result.refusedBeforeApplying
          ? "nothing was applied (see above)."
          : `the ${[...new Set(result.refused.map((c) => c.stack))].join(", ")} stack(s) were not applied (see above); the stacks before them were, and lose nothing.`,
      );
    }
    if (result.failed.length > 0 && runner.locked.length === result.failed.length) {
      throw new CommandError(
        `the state of ${runner.locked.join(", ")} is locked by another run (see above); those stacks were not changed. Deploy again when that run has finished.`,
      );
    }
    if (result.failed.length > 0) {
      throw new CommandError(
        `the ${result.failed.join(", ")} stack(s) failed (see above). Fix the cause and run npm run deploy again: it carries on from there.`,
      );
    }
    // The schema step waits for CQL, not for Docker's healthcheck; the deploy ends when Docker agrees too.
    await hooks.healthy();
    writeDeployedStamp(SYNTH_DIR, stacks);
    console.log(`deploy: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    interrupts.stop();
  }
}

await runCommand("deploy", async () => {
  const { values } = readArguments(USAGE, { options: { "allow-data-loss": { type: "boolean", default: false } } });
  return main(values["allow-data-loss"]!);
});
