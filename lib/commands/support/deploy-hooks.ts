/**
 * What a deploy tells the stack runner about the world outside Terraform,
 * put together from its pieces (deploy/): when a stack's service is ready
 * (readiness), which declared objects already exist (adoption), what to do
 * just before a stack is applied (drain), and the review of every plan
 * before it is applied (consent: the data-loss gate).
 */
import { join } from "node:path";
import type { ChatBattleConfig } from "../../config/config";
import { PROJECT_ROOT, STATE_DIR } from "../../project-root";
import { NETWORK_NAME, STACK_NAMES } from "../../names";
import { recordedIds } from "../../adapters/terraform/state-file";
import { connectAdmin, type KafkaAdmin } from "../../adapters/kafka/kafka-admin";
import type { DeployHooks } from "../../adapters/terraform/stack-runner";
import { changeJudge, type ChangeJudge } from "../../checks/judge-changes";
import { cassandraConnection, kafkaClientTarget } from "../../topology/connections";
import type { ServiceRuntime } from "../../runtime/service-runtime";
import { stackReadiness } from "./deploy/readiness";
import { adoption } from "./deploy/adoption";
import { drainBeforeUpgrade } from "./deploy/drain";
import { deployConsent } from "./deploy/consent";

type Env = Readonly<Record<string, string | undefined>>;

export interface DeployHookOptions {
  /** The user said --allow-data-loss. */
  readonly allowDataLoss: boolean;
  /** The longest a deploy waits for a service to become ready (TERRAFORM_TIMEOUT). */
  readonly readyDeadlineSeconds: number;
  /** Prints a line for a stack, as the runner prints its own. */
  readonly say: (stack: string, line: string) => void;
}

/** The data-loss gate's judge for this configuration's services (see checks/judge-changes.ts). */
export function deployJudge(config: ChatBattleConfig, env: Env, runtime: ServiceRuntime): ChangeJudge {
  return changeJudge(config, {
    kafka: () => kafkaClientTarget(config, env),
    cassandra: () => cassandraConnection(config, env),
    projectRoot: PROJECT_ROOT,
    runtime,
  });
}

/** The network's id as the network stack's local state records it. */
function recordedNetwork(config: ChatBattleConfig): string | undefined {
  if (config.stateBackend !== "local") return undefined;
  return recordedIds(join(PROJECT_ROOT, STATE_DIR, `${STACK_NAMES.network}.tfstate`), "docker_network").get(
    NETWORK_NAME,
  );
}

/** The deploy's hooks; `healthy()` waits for every service at the end, `close()` ends the connections they opened. */
export async function deployHooks(
  config: ChatBattleConfig,
  env: Env,
  runtime: ServiceRuntime,
  options: DeployHookOptions,
): Promise<DeployHooks & { healthy(): Promise<void>; close(): Promise<void> }> {
  let admin: Promise<KafkaAdmin> | undefined;
  const kafkaAdmin = () => (admin ??= connectAdmin(kafkaClientTarget(config, env)));
  const judge = deployJudge(config, env, runtime);
  const readiness = stackReadiness(config, runtime, {
    deadlineSeconds: options.readyDeadlineSeconds,
    say: options.say,
  });
  const objects = await adoption(runtime, {
    topics: async () => (await kafkaAdmin()).listTopics(),
    recordedNetwork: () => recordedNetwork(config),
  });
  return {
    ready: readiness.ready,
    trouble: readiness.trouble,
    healthy: readiness.healthy,
    existing: objects.existing,
    createdAsRecorded: objects.createdAsRecorded,
    usableEarly: objects.usableEarly,
    recordedAsLive: objects.recordedAsLive,
    beforeApply: drainBeforeUpgrade(config, runtime, options.say),
    review: deployConsent(judge, {
      allowDataLoss: options.allowDataLoss,
      say: options.say,
      tell: (text) => console.log(text),
    }),
    async close() {
      if (admin) await (await admin.catch(() => undefined))?.disconnect().catch(() => undefined);
      await judge.close();
    },
  };
}
