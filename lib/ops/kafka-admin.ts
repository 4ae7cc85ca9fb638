import kafkajs, { type Admin } from "kafkajs";

// kafkajs is CommonJS: take its values from the default export.
const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

/**
 * A Kafka admin client for the broker's host listener that fails fast: the
 * operating commands report a broker that does not answer, they do not wait.
 */
export async function connectAdmin(bootstrapServer: string): Promise<Admin> {
  const kafka = new Kafka({
    clientId: "chatbattle-ops",
    brokers: [bootstrapServer],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 1, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}

export interface LiveTopic {
  readonly name: string;
  readonly partitions: readonly { partition: number; leader: number; replicas: number[]; isr: number[] }[];
  /** Topic configs that are not the broker's defaults. */
  readonly overrides: Readonly<Record<string, string>>;
}

/** Partitions and non-default configs of the named topics, as the broker reports them. */
export async function describeTopics(admin: Admin, names: readonly string[]): Promise<LiveTopic[]> {
  if (names.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics: [...names] });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  return metadata.topics.map((topic) => {
    const resource = configs.resources.find((r) => r.resourceName === topic.name);
    const overrides = Object.fromEntries(
      (resource?.configEntries ?? []).filter((e) => !e.isDefault).map((e) => [e.configName, e.configValue]),
    );
    return {
      name: topic.name,
      partitions: topic.partitions
        .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
        .sort((a, b) => a.partition - b.partition),
      overrides,
    };
  });
}
