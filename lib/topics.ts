/** A Kafka topic as the pipeline needs it. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level configs; keys left out take the broker's defaults. */
  readonly config: Readonly<Record<string, string>>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The topics of the seed. Lowering `partitions` makes Terraform delete and
 * recreate the topic, which loses its messages: only ever raise it.
 */
export const TOPICS: readonly TopicSpec[] = [
  {
    // Raw chat messages from Twitch.
    name: "twitch-chat-messages",
    partitions: 3,
    replicationFactor: 1,
    config: { "retention.ms": String(7 * DAY_MS), "cleanup.policy": "delete" },
  },
  {
    // Aggregated statistics per channel; compacted to the latest value per key.
    name: "channel-stats",
    partitions: 3,
    replicationFactor: 1,
    config: { "retention.ms": String(DAY_MS), "cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1" },
  },
];
