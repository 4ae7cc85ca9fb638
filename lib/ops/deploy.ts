/**
 * `npm run deploy`: checks that a deploy can work (pre-flight), synthesizes,
 * then creates or repairs every stack with Terraform, each as soon as the
 * stacks it depends on are done (see stack-runner.ts). Holds the project's
 * lock, so a second deploy, stop or reset waits its turn.
 * Exit codes: 0; 1 when pre-flight or a stack fails or the stack is locked;
 * 2 on bad settings; 130 after Ctrl-C.
 *
 * CHATBATTLE_TIMINGS_FILE names a file to write each step's time to, as JSON
 * (npm run bench reads it).
 */
import { writeFileSync } from "node:fs";
import { loadDotEnv } from "../load-env";
import { parseConfig } from "../config/config";
import { synthesizeApp } from "../app";
import { printPreflight, runPreflight } from "./preflight";
import { acquireProjectLock } from "./project-lock";
import { StackRunner } from "./stack-runner";
import { runCommand } from "./run-command";
import { PROJECT_ROOT, SYNTH_DIR } from "../project-root";
import { CommandError } from "../errors";

async function main(): Promise<number> {
  const started = Date.now();
  loadDotEnv();
  const config = parseConfig(process.env);
  acquireProjectLock(PROJECT_ROOT, "npm run deploy");
  if (!printPreflight(await runPreflight(config))) return 1;

  const synthStarted = Date.now();
  synthesizeApp(config, PROJECT_ROOT, SYNTH_DIR);
  const synthSeconds = (Date.now() - synthStarted) / 1000;

  // The Kafka provider reads the CA file from KAFKA_CA_CERT in cdktf.out/stacks/topics: give it the absolute path.
  const caFile = config.kafkaCluster?.caFile;
  const runner = new StackRunner(SYNTH_DIR, caFile ? { ...process.env, KAFKA_CA_CERT: caFile } : process.env, config.stateLockTimeoutSeconds);
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    runner.interrupt();
  };
  process.on("SIGINT", onInterrupt);
  const result = await runner.deploy().finally(() => process.off("SIGINT", onInterrupt));

  const seconds = (Date.now() - started) / 1000;
  if (process.env.CHATBATTLE_TIMINGS_FILE) {
    writeFileSync(process.env.CHATBATTLE_TIMINGS_FILE, JSON.stringify({ seconds, synthSeconds, steps: result.timings }, null, 2));
  }
  if (interrupted) {
    console.error("deploy: interrupted; Terraform saved what it had done. npm run deploy carries on from there.");
    return 130;
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
  console.log(`deploy: done in ${seconds.toFixed(1)} s`);
  return 0;
}

await runCommand("deploy", main);
