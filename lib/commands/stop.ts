/**
 * `npm run stop`: says what goes and what stays, then stops the containers
 * through Docker, each with its grace period and all at once (a broker
 * before its ZooKeeper), while it destroys the kafka and cassandra stacks
 * side by side. The network, the volumes, the topics and the schema are left alone,
 * as `docker compose stop` leaves them, so the next deploy brings the same
 * data back on the same network; `npm run reset` removes them. Ctrl-C and
 * SIGTERM reach Terraform, which saves its state before the command ends
 * (130 or 143).
 */
import { STACK_NAMES } from "../names";
import { localTopology } from "../topology/local-topology";
import { StackRunner } from "../adapters/terraform/stack-runner";
import { runPrinter } from "./support/run-printer";
import { containersInStateFile } from "../adapters/terraform/state-file";
import { removeDeployedStamp } from "../checks/up-to-date";
import { join } from "node:path";
import { PROJECT_ROOT, STATE_DIR, SYNTH_DIR } from "../project-root";
import { CommandError } from "../errors";
import { defineCommand } from "./support/define-command";

/** The stacks a stop destroys: the containers. The network and volumes stacks stay. */
const STOPPED_STACKS: readonly string[] = [STACK_NAMES.kafka, STACK_NAMES.cassandra];

await defineCommand({
  name: "stop",
  usage: "usage: npm run stop",
  localOnly: true,
  takesLock: true,
  interruptible: true,
  async run({ config, env, runtime, interrupts }) {
    const topology = localTopology(config);
    console.log(`stop: removing containers ${topology.services.map((s) => s.container).join(", ")}`);
    console.log(
      `stop: keeping network ${topology.network}, volumes ${topology.volumes.map((v) => v.name).join(", ")}, the topics and the schema`,
    );
    removeDeployedStamp(SYNTH_DIR);
    // The runtime starts every graceful stop at once, from what the state records, before the app is
    // even loaded; Terraform's destroy then stops the same containers (a no-op, or a wait for one
    // already stopping) and removes them. The state in PostgreSQL is left to Terraform alone.
    const stopping = (
      config.stateBackend === "local"
        ? runtime.stop(
            STOPPED_STACKS.flatMap((stack) => containersInStateFile(join(PROJECT_ROOT, STATE_DIR, `${stack}.tfstate`))),
          )
        : Promise.resolve([])
    ).then((outcomes) => {
      for (const outcome of outcomes.filter((o) => o.seconds !== undefined)) {
        console.log(
          `stop: ${outcome.name} ${outcome.error ? `did not stop through ${runtime.name} (${outcome.error}); Terraform stops it` : `stopped in ${outcome.seconds!.toFixed(1)} s`}`,
        );
      }
    });
    // Loaded only now: the stacks' code takes a while to load, and the containers are stopping meanwhile.
    const { synthesizeApp } = await import("../app");
    synthesizeApp(config, PROJECT_ROOT, SYNTH_DIR, env, "review");
    const runner = new StackRunner(SYNTH_DIR, {
      env,
      lockTimeoutSeconds: config.stateLockTimeoutSeconds,
      deadlineSeconds: config.terraformDeadlineSeconds,
      interrupts: interrupts(),
      report: runPrinter(STOPPED_STACKS, { command: "stop" }).event,
    });
    const [result] = await Promise.all([runner.destroy(STOPPED_STACKS), stopping]);
    if (interrupts().interrupted) {
      console.error(
        "stop: interrupted; Terraform saved what it had removed. npm run stop finishes the job, npm run deploy starts the stack again.",
      );
      return 1;
    }
    if (result.failed.length > 0) {
      throw new CommandError(
        `destroying the ${result.failed.join(", ")} stack(s) failed (see above); what depends on them stays.`,
      );
    }
    console.log("stop: done. `npm run deploy` starts the stack again with its data.");
    return 0;
  },
});
