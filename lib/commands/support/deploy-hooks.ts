/**
 * What a deploy tells the stack runner about the world outside Terraform:
 * when a stack's service is ready, which declared objects already exist, and
 * whether a change that loses data may go ahead.
 */
import type { Admin } from "kafkajs";
import type { ChatBattleConfig } from "../../config/config";
import { serviceEndpoints } from "../../app";
import { PROJECT_ROOT } from "../../project-root";
import { PROJECT_LABEL, projectContainers, STACK_NAMES } from "../../names";
import { CommandError } from "../../errors";
import { docker } from "../../adapters/docker/docker-cli";
import { containerState } from "../../checks/health";
import { connectAdmin, kafkaClientTarget } from "../../adapters/kafka/kafka-admin";
import { allowedMessage, estimateLoss, refusalMessage } from "../../checks/data-loss";
import type { DeployHooks } from "../../adapters/terraform/stack-runner";
import type { AdoptableType } from "../../adapters/terraform/adoption";

type Env = Readonly<Record<string, string | undefined>>;

/** A service Docker reports as unhealthy or stopped while a deploy waits for it. */
export class ServiceNotReadyError extends CommandError {
  override name = "ServiceNotReadyError";
}

const POLL_MS = 500;
/** Restarts while a deploy waits that mean a service is crashing, not starting: Docker's back-off makes 8 about a minute. */
const MAX_RESTARTS = 8;

export interface DeployHookOptions {
  /** The user said --allow-data-loss. */
  readonly allowDataLoss: boolean;
  /** The longest a deploy waits for a service to become ready (TERRAFORM_TIMEOUT). */
  readonly readyDeadlineSeconds: number;
  /** Prints a line for a stack, as the runner prints its own. */
  readonly say: (stack: string, line: string) => void;
}

/** The deploy's hooks, and `close()` to end the Kafka connection they may have opened. */
export function deployHooks(config: ChatBattleConfig, env: Env, options: DeployHookOptions): DeployHooks & { close(): Promise<void> } {
  let admin: Promise<Admin> | undefined;
  const kafkaAdmin = () =>
    (admin ??= connectAdmin(kafkaClientTarget(config, env, () => serviceEndpoints(config, PROJECT_ROOT).kafkaBrokers)));

  // The containers each stack talks to; the cluster target's services are not ours to wait for.
  const gates = new Map<string, string[]>();
  if (config.target === "local") {
    const containers = projectContainers(config.kafka);
    gates.set(STACK_NAMES.topics, containers.filter((c) => c.service === "kafka").map((c) => c.container));
    gates.set(STACK_NAMES.schema, containers.filter((c) => c.service === "cassandra").map((c) => c.container));
  }

  return {
    async ready(stack, wait) {
      const containers = gates.get(stack);
      if (!containers) return true;
      const started = Date.now();
      let said = "";
      let restartsAtStart: Map<string, number> | undefined;
      for (;;) {
        const states = containers.map((name) => ({ name, ...containerState(name) }));
        const waiting = states.filter((s) => !(s.state === "running" && s.dockerHealth === "healthy"));
        if (waiting.length === 0) {
          if (said) options.say(stack, `ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
          return true;
        }
        if (!wait) return false;
        // Missing: its stack failed or was never applied; Terraform says why.
        if (waiting.some((s) => s.state === "missing")) return true;
        // A container that exits is restarted by Docker (unless-stopped), and after an
        // engine restart that is normal for a while: a broker exits until ZooKeeper lets
        // go of its old session (NodeExists), about 18 s. Only a loop of restarts, or
        // Docker's own verdict "unhealthy", means it will not come.
        const restarts = (name: string) => Number(docker(["inspect", "--format", "{{.RestartCount}}", name], { allowFailure: true }) || 0);
        restartsAtStart ??= new Map(containers.map((name) => [name, restarts(name)]));
        const broken = waiting.find((s) => (s.state === "running" && s.dockerHealth === "unhealthy") || s.state === "dead" || restarts(s.name) - restartsAtStart!.get(s.name)! >= MAX_RESTARTS);
        if (broken) {
          const what = broken.state === "running" ? "unhealthy" : broken.state === "dead" ? "dead" : `restarting again and again (${MAX_RESTARTS} times)`;
          throw new ServiceNotReadyError(
            `${broken.name} is ${what}, so ${stack} was not applied; see \`npm run logs\` and \`npm run health\`, fix the cause and deploy again.`,
          );
        }
        const line = `waiting for ${waiting.map((s) => `${s.name} (${s.state !== "running" || s.dockerHealth === "none" ? s.state : s.dockerHealth})`).join(", ")} to be healthy`;
        if (line !== said) options.say(stack, (said = line));
        if (Date.now() - started > options.readyDeadlineSeconds * 1000) {
          throw new ServiceNotReadyError(`${waiting.map((s) => s.name).join(", ")} did not become healthy within ${options.readyDeadlineSeconds} s (TERRAFORM_TIMEOUT); ${stack} was not applied.`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },

    async existing(type: AdoptableType, name: string) {
      const found = (args: string[]) => docker(args, { allowFailure: true }) || undefined;
      switch (type) {
        case "docker_network":
          return found(["network", "inspect", "--format", "{{.Id}}", name]);
        case "docker_volume":
          return found(["volume", "inspect", "--format", "{{.Name}}", name]);
        case "docker_container": {
          // Only the project's own containers: anything else of that name is the user's, and the apply says so.
          const text = found(["container", "inspect", "--format", `{{.Id}} {{index .Config.Labels "${PROJECT_LABEL.label}"}}`, name]);
          const [id, label] = (text ?? "").split(" ");
          return label === PROJECT_LABEL.value ? id : undefined;
        }
        case "kafka_topic":
          return (await (await kafkaAdmin()).listTopics()).includes(name) ? name : undefined;
      }
    },

    async allowDataLoss(changes) {
      const needsKafka = changes.some((c) => c.type === "kafka_topic");
      const estimates = await estimateLoss(changes, needsKafka ? kafkaAdmin : undefined);
      console.log(options.allowDataLoss ? allowedMessage(estimates) : refusalMessage(estimates));
      return options.allowDataLoss;
    },

    async close() {
      if (admin) await (await admin.catch(() => undefined))?.disconnect().catch(() => undefined);
    },
  };
}
