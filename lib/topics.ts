import type { TopicDurability } from "./config/target";
import type { TopicDefinition } from "./config/topics-file";

export type { TopicDefinition } from "./config/topics-file";

/** A topic as one target declares it: the definition with that target's durability. */
export interface TopicSpec extends TopicDefinition {
  readonly replicationFactor: number;
}

/** The topics the configuration declares: those of TOPICS_FILE when it is set, else {@link TOPICS}. */
export function topicDefinitions(config: {
  readonly topicsFromFile?: readonly TopicDefinition[];
}): readonly TopicDefinition[] {
  return config.topicsFromFile ?? TOPICS;
}

/**
 * The topics a target declares: each definition with the target's replication
 * factor, min.insync.replicas (when set) and partitions (when set). The
 * topics stack creates these and health compares the brokers with these.
 */
export function declaredTopics(
  durability: TopicDurability,
  definitions: readonly TopicDefinition[] = TOPICS,
): TopicSpec[] {
  return definitions.map((topic) => ({
    ...topic,
    partitions: durability.partitions ?? topic.partitions,
    replicationFactor: durability.replicationFactor,
    config:
      durability.minInsyncReplicas === undefined
        ? topic.config
        : { ...topic.config, "min.insync.replicas": String(durability.minInsyncReplicas) },
  }));
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The topics of the seed. Lowering `partitions` or removing a topic would make
 * Terraform delete the topic with its messages: deploy refuses such a plan
 * unless it is given --allow-data-loss (see lib/adapters/terraform/plan-changes.ts).
 */
export const TOPICS: readonly TopicDefinition[] = [
  {
    // Raw chat messages from Twitch.
    name: "twitch-chat-messages",
    partitions: 3,
    config: { "retention.ms": String(7 * DAY_MS), "cleanup.policy": "delete" },
  },
  {
    // Aggregated statistics per channel; compacted to the latest value per key.
    name: "channel-stats",
    partitions: 3,
    config: { "retention.ms": String(DAY_MS), "cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1" },
  },
];
