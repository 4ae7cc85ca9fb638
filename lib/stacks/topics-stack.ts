import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { KafkaProvider } from "../../.gen/providers/kafka/provider/index.js";
import { Topic } from "../../.gen/providers/kafka/topic/index.js";
import { STACK_NAMES } from "../names";
import type { TopicSpec } from "../topics";
import type { SaslMechanism } from "../config/target";

/** How the Kafka provider reaches the brokers. No credentials: the provider reads them from the environment. */
export interface KafkaClientSettings {
  /** host:port of brokers, e.g. 127.0.0.1:9092. Must be static: the provider connects lazily. */
  readonly bootstrapServers: readonly string[];
  readonly tls: boolean;
  readonly saslMechanism?: SaslMechanism;
}

export interface TopicsStackProps {
  readonly kafka: KafkaClientSettings;
  readonly topics: readonly TopicSpec[];
  /**
   * Whether Terraform itself refuses any plan that deletes or replaces a
   * topic (lifecycle.prevent_destroy): for plain `npx cdktf deploy`, which
   * runs with no review of the app's.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * The provider's spelling of each mechanism. Always written out: left unset,
 * the provider would read KAFKA_SASL_MECHANISM from the environment, where
 * this app's setting uses Kafka's own spelling (SCRAM-SHA-512).
 */
const PROVIDER_SASL_MECHANISM: Record<SaslMechanism, string> = {
  PLAIN: "plain",
  "SCRAM-SHA-256": "scram-sha256",
  "SCRAM-SHA-512": "scram-sha512",
};

/**
 * The Kafka topics. A stack of its own, planned only after the broker stack
 * is healthy: the Kafka provider caches a failed first connection for its
 * whole run, so sharing a plan with a broker that is down could never heal.
 */
export class TopicsStack extends TerraformStack {
  constructor(scope: Construct, props: TopicsStackProps) {
    super(scope, STACK_NAMES.topics);
    new KafkaProvider(this, "kafka", {
      bootstrapServers: [...props.kafka.bootstrapServers],
      // Always explicit: the provider defaults to TLS. It reads the CA file
      // (KAFKA_CA_CERT) and the SASL user and password from the environment.
      tlsEnabled: props.kafka.tls,
      saslMechanism: props.kafka.saslMechanism && PROVIDER_SASL_MECHANISM[props.kafka.saslMechanism],
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
        lifecycle: { preventDestroy: props.preventDestroy ?? true },
      });
      first ??= resource;
    }
  }
}
