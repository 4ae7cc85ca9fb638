/**
 * When each stack's service is ready for it, as the deploy sees it. The
 * topics need the brokers healthy: the Kafka provider gives up on a broker
 * that does not answer. The schema needs Cassandra only running: its applier
 * waits until CQL answers, so its start-up overlaps Cassandra's. A cluster's
 * services are not ours to wait for: the topology has none there.
 */
import type { ChatBattleConfig } from "../../../config/config";
import { STACK_NAMES } from "../../../names";
import { deployedServices } from "../../../topology/local-topology";
import { BreakageWatch, containersReady, type Readiness } from "../../../runtime/readiness";
import type { ServiceRuntime } from "../../../runtime/service-runtime";

export interface StackReadiness {
  /** Whether `stack`'s service is ready; with `wait`, waits for it (throws a ServiceNotReadyError when it never comes). */
  ready(stack: string, wait: boolean): Promise<boolean>;
  /** A message when `stack`'s service broke (unhealthy, dead, restarting again and again); undefined while all is well. */
  trouble(stack: string): Promise<string | undefined>;
  /** Waits until every container is healthy, as `npm run health` wants them; throws when one breaks. */
  healthy(): Promise<void>;
}

export function stackReadiness(
  config: ChatBattleConfig,
  runtime: ServiceRuntime,
  options: {
    /** The longest it waits for a service (TERRAFORM_TIMEOUT). */
    readonly deadlineSeconds: number;
    /** Prints a line for a stack (or "deploy"). */
    readonly say: (stack: string, line: string) => void;
  },
): StackReadiness {
  const services = deployedServices(config);
  const of = (name: string) => services.filter((s) => s.name === name).map((s) => s.container);
  const gates = new Map<string, { containers: string[]; until: Readiness }>([
    [STACK_NAMES.topics, { containers: of("kafka"), until: "healthy" }],
    [STACK_NAMES.schema, { containers: of("cassandra"), until: "running" }],
  ]);
  const watch = new BreakageWatch();
  const waitFor = (subject: string, containers: readonly string[], until: Readiness, wait: boolean) =>
    containers.length === 0
      ? Promise.resolve(true)
      : containersReady(runtime, containers, until, wait, {
          subject,
          deadlineSeconds: options.deadlineSeconds,
          say: (line) => options.say(subject, line),
          watch,
        });
  return {
    async ready(stack, wait) {
      const gate = gates.get(stack);
      return gate ? waitFor(stack, gate.containers, gate.until, wait) : true;
    },
    async trouble(stack) {
      const gate = gates.get(stack);
      if (!gate || gate.containers.length === 0) return undefined;
      const broken = watch.broken(await runtime.containerStatus(gate.containers));
      return (
        broken &&
        `${broken.name} is ${broken.what}; see \`npm run logs\` and \`npm run health\`, fix the cause and deploy again`
      );
    },
    async healthy() {
      await waitFor(
        "deploy",
        services.map((s) => s.container),
        "healthy",
        true,
      );
    },
  };
}
