import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { KafkaProvider } from "../../.gen/providers/kafka/provider/index.js";
import { Topic } from "../../.gen/providers/kafka/topic/index.js";
import { useProjectState } from "./project-state";
import { STACK_NAMES } from "../names";
import type { TopicSpec } from "../topics";

export interface TopicsStackProps {
  /** Host-side bootstrap servers, e.g. localhost:9092. Must be static: the provider connects lazily. */
  readonly bootstrapServers: string;
  readonly topics: readonly TopicSpec[];
}

/**
 * The Kafka topics. A stack of its own, planned only after the broker stack
 * is healthy: the Kafka provider caches a failed first connection for its
 * whole run, so sharing a plan with a broker that is down could never heal.
 */
export class TopicsStack extends TerraformStack {
  constructor(scope: Construct, props: TopicsStackProps) {
    super(scope, STACK_NAMES.topics);
    useProjectState(this, STACK_NAMES.topics);
    new KafkaProvider(this, "kafka", {
      bootstrapServers: [props.bootstrapServers],
      // The local broker speaks plaintext; the provider defaults to TLS.
      tlsEnabled: false,
      timeout: 60,
    });
    // The provider's Kafka client (sarama) reopens its connection to the
    // controller on first use, and two resources using it at once can find it
    // "not connected": a cold deploy then created one topic and failed the
    // other with "kafka: broker not connected". So the first topic is created
    // (and refreshed) alone; the connection is then open and the others go in
    // parallel. Ordering only: changing it replaces nothing.
    let first: Topic | undefined;
    for (const topic of props.topics) {
      const resource = new Topic(this, `topic-${topic.name}`, {
        name: topic.name,
        partitions: topic.partitions,
        replicationFactor: topic.replicationFactor,
        config: { ...topic.config },
        dependsOn: first ? [first] : undefined,
      });
      first ??= resource;
    }
  }
}
