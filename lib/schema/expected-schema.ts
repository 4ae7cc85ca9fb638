/**
 * What cql/ declares, as Cassandra reports it back in system_schema. A unit
 * test (schema-files.test.ts) checks this against the text of cql/ both ways,
 * every column here declared there and no other, so the two cannot drift apart.
 */
export interface ExpectedColumn {
  readonly name: string;
  readonly type: string;
  readonly kind: "partition_key" | "clustering" | "regular";
  /** Position within the partition key or clustering columns. */
  readonly position?: number;
  readonly clusteringOrder?: "asc" | "desc";
}

export interface ExpectedTable {
  readonly name: string;
  readonly columns: readonly ExpectedColumn[];
  readonly defaultTimeToLiveSeconds: number;
  /** Compaction options; the class is compared by its simple name. */
  readonly compaction: Readonly<Record<string, string>>;
}

export const EXPECTED_TABLES: readonly ExpectedTable[] = [
  {
    name: "raw_chat_messages",
    columns: [
      { name: "channel_id", type: "text", kind: "partition_key", position: 0 },
      { name: "timestamp", type: "bigint", kind: "clustering", position: 0, clusteringOrder: "desc" },
      { name: "message_id", type: "uuid", kind: "clustering", position: 1, clusteringOrder: "asc" },
      { name: "user_id", type: "text", kind: "regular" },
      { name: "username", type: "text", kind: "regular" },
      { name: "message", type: "text", kind: "regular" },
      { name: "emotes", type: "list<text>", kind: "regular" },
    ],
    defaultTimeToLiveSeconds: 604800,
    compaction: {
      class: "TimeWindowCompactionStrategy",
      compaction_window_unit: "DAYS",
      compaction_window_size: "1",
    },
  },
];
