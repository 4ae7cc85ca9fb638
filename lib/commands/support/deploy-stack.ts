/**
 * One deploy of the local stack or the cluster target, as `npm run deploy`
 * runs it and `npm run migrate` runs it between its save and restore:
 * pre-flight, image pulls, synthesis, then every stack with Terraform (see
 * stack-runner.ts). The caller holds the project's lock and the interrupts.
 *
 * CHATBATTLE_TIMINGS_FILE names a file to write each step's time to, as JSON
 * (npm run bench reads it): the Terraform commands, and the moments the deploy
 * passed on its way (milliseconds since the epoch, from the process's own
 * start on), so that they line up with the containers' start times.
 */
import { writeFileSync } from "node:fs";
import type { ChatBattleConfig } from "../../config/config";
import { synthesizeApp } from "../../app";
import { printPreflight, runPreflight } from "../../checks/preflight";
import { StackRunner } from "../../adapters/terraform/stack-runner";
import { runPrinter } from "./run-printer";
import { readSynthesizedStacks } from "../../adapters/terraform/synthesized-stacks";
import { kafkaClientTarget } from "../../topology/connections";
import { removeDeployedStamp, upToDate, writeDeployedStamp } from "../../checks/up-to-date";
import type { Interrupts } from "../../process/interrupts";
import { deployHooks } from "./deploy-hooks";
import { pullMissingImages } from "./image-pulls";
import { PROJECT_ROOT, SYNTH_DIR } from "../../project-root";
import { CommandError } from "../../errors";
import { recordDataRelease } from "../../checks/cassandra-version";
import { describeUnfinished, readUnfinishedMigration } from "./unfinished-migration";
import type { ServiceRuntime } from "../../runtime/service-runtime";

/** The environment Terraform runs in: the Kafka provider reads the CA file from KAFKA_CA_CERT in cdktf.out/stacks/topics, so it gets the absolute path. */
export function terraformEnvironment(config: ChatBattleConfig): Readonly<Record<string, string | undefined>> {
  const caFile = config.kafkaCluster?.caFile;
  return caFile ? { ...process.env, KAFKA_CA_CERT: caFile } : process.env;
}

/** Deploys with these settings; the exit code (0, 1 when pre-flight or a stack fails, 130/143 after a signal). */
export async function deployStack(
  config: ChatBattleConfig,
  runtime: ServiceRuntime,
  options: {
    readonly allowDataLoss: boolean;
    readonly interrupts: Interrupts;
    /** Whether to mention an unfinished npm run migrate; not when that migrate is the caller. @default true */
    readonly noteUnfinishedMigration?: boolean;
  },
): Promise<number> {
  const { allowDataLoss, interrupts } = options;
  const started = Date.now();
  const marks: Record<string, number> = { processStarted: Math.round(performance.timeOrigin), deployStarted: started };
  const unfinished = options.noteUnfinishedMigration !== false ? readUnfinishedMigration(PROJECT_ROOT) : undefined;
  if (unfinished?.phase === "removing") {
    throw new CommandError(
      `${describeUnfinished(unfinished)}. A deploy now would start the old stack again on what is left of it, so nothing was changed. ` +
        "Run npm run migrate to carry the move on, or npm run reset to abandon it (the snapshot stays).",
    );
  }
  if (unfinished) console.log(`deploy: note: ${describeUnfinished(unfinished)}.`);
  if (!printPreflight(await runPreflight(config, runtime))) return 1;
  marks.preflightDone = Date.now();
  if (interrupts.interrupted) return interrupts.exitCode;
  const pulled = await pullMissingImages(config, runtime, {
    say: (line) => console.log(line),
    inPlace: process.stdout.isTTY === true,
    signal: interrupts.signal,
  });
  if (interrupts.interrupted) return interrupts.exitCode;
  if (!pulled) return 1;

  const synthStarted = Date.now();
  synthesizeApp(config, PROJECT_ROOT, SYNTH_DIR, process.env, "review");
  const synthSeconds = (Date.now() - synthStarted) / 1000;
  marks.synthesized = Date.now();

  const env = terraformEnvironment(config);
  // Nothing changed since the last deploy, and everything runs as it left it: done, without Terraform.
  const stacks = readSynthesizedStacks(SYNTH_DIR);
  const current = await upToDate(SYNTH_DIR, stacks, () => kafkaClientTarget(config, env), runtime);
  if (current.upToDate) {
    console.log(
      "deploy: every stack is as the last deploy left it, and runs as recorded (checked in Docker and on the broker); nothing to do.",
    );
    console.log(`deploy: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }
  marks.upToDateChecked = Date.now();
  if (current.why) console.log(`deploy: planning every stack: ${current.why}`);
  removeDeployedStamp(SYNTH_DIR);
  const printer = runPrinter(stacks.map((s) => s.name));
  const runner = new StackRunner(SYNTH_DIR, {
    env,
    lockTimeoutSeconds: config.stateLockTimeoutSeconds,
    deadlineSeconds: config.terraformDeadlineSeconds,
    interrupts,
    report: printer.event,
  });
  const hooks = await deployHooks(config, env, runtime, {
    allowDataLoss,
    readyDeadlineSeconds: config.terraformDeadlineSeconds,
    say: printer.line,
  });
  marks.hooksReady = Date.now();
  const result = await runner.deploy(hooks).finally(() => {
    marks.stacksApplied = Date.now();
    return hooks.close();
  });
  marks.stacksDone = Date.now();

  // Written here, so a deploy that fails below still tells where its time went; again once all is healthy.
  const writeTimings = () => {
    if (!process.env.CHATBATTLE_TIMINGS_FILE) return;
    const seconds = (Date.now() - started) / 1000;
    writeFileSync(
      process.env.CHATBATTLE_TIMINGS_FILE,
      JSON.stringify({ seconds, synthSeconds, marks, steps: result.timings }, null, 2),
    );
  };
  writeTimings();
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
        : `the ${result.refused.join(", ")} stack(s) were not applied (see above); the stacks before them were, and lose nothing.`,
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
  await recordDataRelease(runtime, config, PROJECT_ROOT);
  marks.done = Date.now();
  writeTimings();
  console.log(`deploy: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
