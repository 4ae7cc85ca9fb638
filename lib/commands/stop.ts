/**
 * `npm run stop`: says what goes and what stays, then destroys the kafka,
 * cassandra and network stacks: Kafka's and Cassandra's at the same time,
 * then the network. The volumes stack, the topics and the schema are left
 * alone, so the next deploy brings the same data back. Ctrl-C and SIGTERM
 * reach Terraform, which saves its state before the command ends (130 or 143).
 */
import { projectContainers, projectVolumes, STACK_NAMES, NETWORK_NAME } from "../names";
import { loadDotEnv } from "../load-env";
import { parseConfig } from "../config/config";
import { synthesizeApp } from "../app";
import { acquireProjectLock } from "../process/project-lock";
import { StackRunner } from "../adapters/terraform/stack-runner";
import { runCommand } from "../process/run-command";
import { readArguments } from "./support/arguments";
import { refuseOnCluster } from "./support/local-only";
import { PROJECT_ROOT, SYNTH_DIR } from "../project-root";
import { CommandError } from "../errors";
import { Interrupts } from "../process/interrupts";

async function main(): Promise<number> {
  loadDotEnv();
  refuseOnCluster("npm run stop", process.env);
  const config = parseConfig(process.env);
  acquireProjectLock(PROJECT_ROOT, "npm run stop");
  console.log(`stop: removing containers ${projectContainers(config.kafka).map((c) => c.container).join(", ")} and network ${NETWORK_NAME}`);
  console.log(`stop: keeping volumes ${projectVolumes(config.kafka).map((v) => v.name).join(", ")}, the topics and the schema`);
  synthesizeApp(config, PROJECT_ROOT, SYNTH_DIR);
  const interrupts = new Interrupts("stop").install();
  const runner = new StackRunner(SYNTH_DIR, {
    env: process.env,
    lockTimeoutSeconds: config.stateLockTimeoutSeconds,
    deadlineSeconds: config.terraformDeadlineSeconds,
    interrupts,
  });
  const result = await runner.destroy([STACK_NAMES.kafka, STACK_NAMES.cassandra, STACK_NAMES.network]).finally(() => interrupts.stop());
  if (interrupts.interrupted) {
    console.error("stop: interrupted; Terraform saved what it had removed. npm run stop finishes the job, npm run deploy starts the stack again.");
    return interrupts.exitCode;
  }
  if (result.failed.length > 0) {
    throw new CommandError(`destroying the ${result.failed.join(", ")} stack(s) failed (see above); what depends on them stays.`);
  }
  console.log("stop: done. `npm run deploy` starts the stack again with its data.");
  return 0;
}

await runCommand("stop", async () => {
  readArguments("usage: npm run stop", { options: {} });
  return main();
});
