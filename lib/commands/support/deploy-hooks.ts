/**
 * What a deploy tells the stack runner about the world outside Terraform:
 * when a stack's service is ready, which declared objects already exist, and
 * the review of every plan before it is applied (the data-loss gate: a
 * change that loses data goes ahead only with --allow-data-loss, and then
 * exactly as shown).
 */
import type { ChatBattleConfig } from "../../config/config";
import { join } from "node:path";
import { PROJECT_ROOT, STATE_DIR } from "../../project-root";
import { CONTAINER_NAMES, NETWORK_NAME, PROJECT_LABEL, STACK_NAMES } from "../../names";
import { localTopology } from "../../topology/local-topology";
import { recordedIds } from "../../adapters/terraform/state-file";
import { CommandError } from "../../errors";
import { docker, runDockerAsync } from "../../adapters/docker/docker-cli";
import { containerState } from "../../checks/health";
import { connectAdmin, type KafkaAdmin } from "../../adapters/kafka/kafka-admin";
import { kafkaClientTarget } from "../../topology/connections";
import { changeJudge, type ChangeJudge } from "../../checks/judge-changes";
import { parseSchemaSettings } from "../../schema/schema-settings";
import { CQL_CONSENT_ENV } from "../../schema/applier";
import { losesData } from "../../gate/findings";
import { allowedMessage, refusalMessage } from "../../gate/report";
import type { DeployHooks } from "../../adapters/terraform/stack-runner";
import type { AdoptableType } from "../../adapters/terraform/adoption";

type Env = Readonly<Record<string, string | undefined>>;

/** A service Docker reports as unhealthy or stopped while a deploy waits for it. */
export class ServiceNotReadyError extends CommandError {
  override name = "ServiceNotReadyError";
}

const POLL_MS = 500;
/** nodetool drain flushes every memtable: seconds on a laptop's data, a deadline all the same. */
const DRAIN_DEADLINE_SECONDS = 300;
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

/** The data-loss gate's judge for this configuration's services (see checks/judge-changes.ts). */
export function deployJudge(config: ChatBattleConfig, env: Env): ChangeJudge {
  return changeJudge(config, {
    kafka: () => kafkaClientTarget(config, env),
    cassandra: () => parseSchemaSettings(env, config),
    projectRoot: PROJECT_ROOT,
  });
}

/** The deploy's hooks, and `close()` to end the Kafka connection they may have opened. */
export function deployHooks(
  config: ChatBattleConfig,
  env: Env,
  options: DeployHookOptions,
): DeployHooks & {
  /** Waits until Docker reports every container healthy, as `npm run health` wants them; throws when one breaks. */
  healthy(): Promise<void>;
  close(): Promise<void>;
} {
  let admin: Promise<KafkaAdmin> | undefined;
  const kafkaAdmin = () => (admin ??= connectAdmin(kafkaClientTarget(config, env)));
  const judge = deployJudge(config, env);
  /** The CQL statements that lose data which the user allowed, after seeing them: the schema step runs only those. */
  const consented = new Set<string>();

  // The containers each stack talks to, and what they must be before it is applied. The topics
  // need the brokers healthy: the Kafka provider gives up on a broker that does not answer.
  // The schema needs Cassandra only running: its applier waits until CQL answers, so its
  // start-up overlaps Cassandra's. The cluster target's services are not ours to wait for.
  const gates = new Map<string, { containers: string[]; until: "healthy" | "running" }>();
  const services = config.target === "local" ? localTopology(config).services : [];
  const allContainers = services.map((s) => s.container);
  if (config.target === "local") {
    const of = (name: string) => services.filter((s) => s.name === name).map((s) => s.container);
    gates.set(STACK_NAMES.topics, { containers: of("kafka"), until: "healthy" });
    gates.set(STACK_NAMES.schema, { containers: of("cassandra"), until: "running" });
  }

  // A container that exits is restarted by Docker (unless-stopped), and after an engine
  // restart that is normal for a while: a broker exits until ZooKeeper lets go of its old
  // session (NodeExists), about 18 s. Only a loop of restarts, or Docker's own verdict
  // "unhealthy", means it will not come.
  const restartsAtStart = new Map<string, number>();
  const brokenOne = (states: { name: string; state: string; dockerHealth: string; restarts: number }[]) => {
    for (const s of states) if (!restartsAtStart.has(s.name)) restartsAtStart.set(s.name, s.restarts);
    const broken = states.find(
      (s) =>
        (s.state === "running" && s.dockerHealth === "unhealthy") ||
        s.state === "dead" ||
        s.restarts - restartsAtStart.get(s.name)! >= MAX_RESTARTS,
    );
    if (!broken) return undefined;
    const what =
      broken.state === "running"
        ? "unhealthy"
        : broken.state === "dead"
          ? "dead"
          : `restarting again and again (${MAX_RESTARTS} times)`;
    return { name: broken.name, what };
  };

  /** Waits until every one of `containers` is running (and healthy, when asked); throws when one breaks or the deadline passes. */
  const waitFor = async (
    containers: readonly string[],
    until: "healthy" | "running",
    wait: boolean,
    subject: string,
  ): Promise<boolean> => {
    const started = Date.now();
    let said = "";
    for (;;) {
      const states = containers.map((name) => ({ name, ...containerState(name) }));
      const waiting = states.filter(
        (s) => !(s.state === "running" && (until === "running" || s.dockerHealth === "healthy")),
      );
      if (waiting.length === 0) {
        if (said) options.say(subject, `ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return true;
      }
      if (!wait) return false;
      // Missing: its stack failed or was never applied; Terraform says why.
      if (waiting.some((s) => s.state === "missing")) return true;
      const broken = brokenOne(waiting);
      if (broken) {
        throw new ServiceNotReadyError(
          `${broken.name} is ${broken.what}, so ${subject} was not applied; see \`npm run logs\` and \`npm run health\`, fix the cause and deploy again.`,
        );
      }
      const line = `waiting for ${waiting.map((s) => `${s.name} (${s.state !== "running" || s.dockerHealth === "none" ? s.state : s.dockerHealth})`).join(", ")} to be ${until}`;
      if (line !== said) options.say(subject, (said = line));
      if (Date.now() - started > options.readyDeadlineSeconds * 1000) {
        throw new ServiceNotReadyError(
          `${waiting.map((s) => s.name).join(", ")} did not become ${until} within ${options.readyDeadlineSeconds} s (TERRAFORM_TIMEOUT); ${subject} was not applied.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  // The network as it was when the deploy started, and as the network stack's state records it.
  const networkNow = () => {
    const [id, label] = docker(
      ["network", "inspect", "--format", `{{.Id}} {{index .Labels "${PROJECT_LABEL.label}"}}`, NETWORK_NAME],
      { allowFailure: true },
    ).split(" ");
    return id && label === PROJECT_LABEL.value ? id : undefined;
  };
  const networkAtStart = config.target === "local" ? networkNow() : undefined;
  const networkRecorded =
    config.target === "local" && config.stateBackend === "local"
      ? recordedIds(join(PROJECT_ROOT, STATE_DIR, `${STACK_NAMES.network}.tfstate`), "docker_network").get(NETWORK_NAME)
      : undefined;

  const existing = async (type: AdoptableType, name: string): Promise<string | undefined> => {
    const found = (args: string[]) => docker(args, { allowFailure: true }) || undefined;
    switch (type) {
      case "docker_network":
        return found(["network", "inspect", "--format", "{{.Id}}", name]);
      case "docker_volume":
        return found(["volume", "inspect", "--format", "{{.Name}}", name]);
      case "docker_container": {
        // Only the project's own containers: anything else of that name is the user's, and the apply says so.
        const text = found([
          "container",
          "inspect",
          "--format",
          `{{.Id}} {{index .Config.Labels "${PROJECT_LABEL.label}"}}`,
          name,
        ]);
        const [id, label] = (text ?? "").split(" ");
        return label === PROJECT_LABEL.value ? id : undefined;
      }
      case "kafka_topic":
        return (await (await kafkaAdmin()).listTopics()).includes(name) ? name : undefined;
    }
  };

  return {
    /**
     * Before the cassandra stack is applied with another image than its
     * running container's (an upgrade): `nodetool drain`, so that the node
     * flushes every memtable and stops taking writes before Terraform
     * replaces the container, as Cassandra's upgrade steps ask. Its grace
     * period would give it the shutdown hook's flush anyway; draining first
     * makes the step explicit and leaves no commit log to replay.
     */
    async beforeApply(stack) {
      if (stack !== STACK_NAMES.cassandra || config.target !== "local") return;
      // The container records the image by id (the Docker provider creates it from the image's id).
      const [running, imageId] = docker(
        ["inspect", "--format", "{{.State.Running}} {{.Image}}", CONTAINER_NAMES.cassandra],
        { allowFailure: true },
      ).split(" ");
      const wanted = docker(["image", "inspect", "--format", "{{.Id}}", config.images.cassandra], {
        allowFailure: true,
      });
      if (running !== "true" || imageId === wanted) return;
      options.say(
        stack,
        `draining ${CONTAINER_NAMES.cassandra} before its container is replaced by one of ${config.images.cassandra}: nodetool drain`,
      );
      const started = Date.now();
      const drained = await runDockerAsync(["exec", CONTAINER_NAMES.cassandra, "nodetool", "drain"], {
        deadlineSeconds: DRAIN_DEADLINE_SECONDS,
      });
      if (drained.status !== 0) {
        throw new ServiceNotReadyError(
          `nodetool drain on ${CONTAINER_NAMES.cassandra} failed (${(drained.stderr || drained.stdout).trim().split("\n").slice(-1)[0]}), so its container was not replaced; see npm run logs -- cassandra, then deploy again.`,
        );
      }
      options.say(
        stack,
        `drained in ${((Date.now() - started) / 1000).toFixed(1)} s: every memtable flushed, no more writes taken`,
      );
    },

    /**
     * The network, once Docker has the project's network and the network
     * stack has nothing to do to it: created by this deploy, or there from the
     * start as its state records it. Anything else (a network made by hand,
     * one the state does not know) waits for the apply, which adopts or
     * replaces it first.
     */
    async usableEarly(stack) {
      if (stack !== STACK_NAMES.network || config.target !== "local") return false;
      const id = networkNow();
      if (!id) return false;
      return networkAtStart === undefined || (id === networkAtStart && id === networkRecorded);
    },

    async ready(stack, wait) {
      const gate = gates.get(stack);
      return gate ? waitFor(gate.containers, gate.until, wait, stack) : true;
    },

    async trouble(stack) {
      const gate = gates.get(stack);
      if (!gate) return undefined;
      const broken = brokenOne(gate.containers.map((name) => ({ name, ...containerState(name) })));
      return (
        broken &&
        `${broken.name} is ${broken.what}; see \`npm run logs\` and \`npm run health\`, fix the cause and deploy again`
      );
    },

    async healthy() {
      await waitFor(allContainers, "healthy", true, "deploy");
    },

    async createdAsRecorded(type, name, id) {
      // A volume's id is its name.
      return (type === "docker_network" || type === "docker_volume") && (await existing(type, name)) === id;
    },

    existing,

    async review(changes, moment) {
      // The schema step runs right after a late review: Cassandra gets as long as the step would give it.
      const findings = await judge.judge(changes, { waitForCassandra: moment === "when-its-service-came-up" });
      for (const f of findings.filter((f) => f.class === "restarts"))
        options.say(f.stack, `restarts a service: ${f.subject} ${f.change}`);
      const losses = losesData(findings);
      if (losses.length > 0 && !options.allowDataLoss) {
        console.log(
          refusalMessage(findings, {
            command: "deploy",
            held: moment === "before-anything" ? "applied nothing of it" : "did not apply that stack",
            undo: "undo the change (a setting such as KAFKA_TOPIC_PARTITIONS, lib/topics.ts or TOPICS_FILE, or a file in cql/) and deploy again",
            allow: "npm run deploy -- --allow-data-loss",
          }),
        );
        return { apply: false };
      }
      if (losses.length > 0) console.log(allowedMessage("deploy", "--allow-data-loss", findings));
      for (const f of losses) if (f.consent) consented.add(f.consent);
      return { apply: true, env: { [CQL_CONSENT_ENV]: [...consented].join(",") } };
    },

    async close() {
      if (admin) await (await admin.catch(() => undefined))?.disconnect().catch(() => undefined);
      await judge.close();
    },
  };
}
