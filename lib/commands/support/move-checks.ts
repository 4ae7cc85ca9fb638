/**
 * What `npm run migrate` makes sure of while the old stack is still there:
 * that its snapshot holds everything step 2 removes (every topic but
 * Kafka's own, every keyspace but Cassandra's own), that nothing writes or
 * consumes meanwhile, that the new stack can take every table and topic
 * back, and, after the save, that nothing arrived since it began.
 */
import { join } from "node:path";
import type { ChatBattleConfig } from "../../config/config";
import type { Finding } from "../../gate/findings";
import type { Manifest } from "../../snapshots/format";
import { tableShapes, tableWriteCounts, userKeyspaces } from "../../snapshots/cassandra-tables";
import { measureCqlLoss } from "../../schema/cql-losses";
import { inScratchKeyspace, SCRATCH_KEYSPACE } from "../../schema/dry-run";
import { readCqlFiles } from "../../schema/cql-files";
import { declaredTopics, topicDefinitions } from "../../topics";
import { PROJECT_ROOT } from "../../project-root";
import type { StackData } from "./stack-data";

/**
 * What step 2 would delete that the snapshot would not hold: each topic not
 * declared (a Streams app's internal topics, one made with kafka-topics)
 * and each keyspace but the configured one, as a loss with its count.
 */
export async function notInSnapshot(data: StackData): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const topic of (await data.kafka.topicNames()).filter((t) => !data.topics.includes(t))) {
    const partitions = (await data.kafka.partitions(topic)) ?? [];
    const records = partitions.reduce((sum, p) => sum + Number(p.high - p.low), 0);
    findings.push({
      class: "loses-data",
      stack: "",
      subject: `topic ${topic}`,
      change:
        "is not declared (lib/topics.ts or TOPICS_FILE), so the snapshot would not hold it, and step 2 deletes it with the Kafka volumes",
      measured: { text: `It holds ${partitions.length} partition(s), ${records} message(s).`, records, exact: true },
    });
  }
  for (const keyspace of (await userKeyspaces(data.cassandra)).filter(
    (k) => k !== data.keyspace && k !== SCRATCH_KEYSPACE,
  )) {
    findings.push({
      class: "loses-data",
      stack: "",
      subject: `keyspace ${keyspace}`,
      change: `is not CASSANDRA_KEYSPACE (${data.keyspace}), so the snapshot would not hold it, and step 2 deletes it with the Cassandra volume`,
      measured: await measureCqlLoss(data.cassandra, { kind: "keyspace", keyspace }),
    });
  }
  return findings;
}

/** Consumer groups that run now, in words; empty when none does. */
export async function runningConsumers(data: StackData): Promise<string[]> {
  return (await data.kafka.activeGroups()).map((g) => `consumer group ${g.group} has ${g.members} member(s) running`);
}

/** Each saved topic's high offsets now, to compare with the snapshot's after the save. */
export async function highOffsets(data: StackData): Promise<Map<string, bigint[]>> {
  const found = new Map<string, bigint[]>();
  for (const topic of data.topics)
    found.set(
      topic,
      ((await data.kafka.partitions(topic)) ?? []).map((p) => p.high),
    );
  return found;
}

/** Records that arrived in a saved topic since the save read it: they are not in the snapshot. */
export async function arrivedSince(data: StackData, manifest: Manifest): Promise<string[]> {
  const now = await highOffsets(data);
  return manifest.topics.flatMap((topic) => {
    const saved = (topic.endOffsets ?? []).map(BigInt);
    const arrived = (now.get(topic.name) ?? []).reduce((sum, high, p) => sum + Number(high - (saved[p] ?? high)), 0);
    return arrived > 0 ? [`${arrived} record(s) arrived in topic ${topic.name} after the snapshot read it`] : [];
  });
}

/** Writes to the keyspace's tables since `before` (from {@link cassandraWrites}); empty when none, or when Cassandra cannot tell. */
export function writtenSince(
  before: Map<string, number> | undefined,
  after: Map<string, number> | undefined,
  keyspace: string,
): string[] {
  if (!before || !after) return [];
  return [...after]
    .filter(([table, count]) => table.startsWith(`${keyspace}.`) && count > (before.get(table) ?? 0))
    .map(
      ([table, count]) =>
        `${count - (before.get(table) ?? 0)} write(s) reached table ${table} while the snapshot was saved`,
    );
}

/** The node's write counts per table, to compare before and after the save; undefined where Cassandra cannot tell (older than 4.1). */
export const cassandraWrites = (data: StackData) => tableWriteCounts(data.cassandra);

/**
 * What a restore into a stack deployed with `to` would refuse, found now: a
 * table that cql/ does not create, a column cql/ does not have, a counter
 * table, a topic with more partitions than `to` declares.
 */
export async function restoreProblems(data: StackData, to: ChatBattleConfig): Promise<string[]> {
  const problems: string[] = [];
  const live = await tableShapes(data.cassandra, data.keyspace);
  const fresh = await inScratchKeyspace(
    data.cassandra,
    readCqlFiles(join(PROJECT_ROOT, "cql")),
    { replication: to.cassandra.replication },
    async (keyspace) => new Map((await tableShapes(data.cassandra, keyspace)).map((s) => [s.name, s])),
  );
  for (const table of live) {
    const made = fresh.get(table.name);
    if (!made) {
      problems.push(
        `table ${data.keyspace}.${table.name} is not created by cql/ (made by hand?), so the new stack would not have it`,
      );
      continue;
    }
    const missing = table.columns.filter((c) => !made.columns.includes(c));
    if (missing.length > 0)
      problems.push(
        `table ${data.keyspace}.${table.name} has column(s) ${missing.join(", ")} that cql/ does not create (added by hand?)`,
      );
    if (table.counters.length > 0)
      problems.push(
        `table ${data.keyspace}.${table.name} has counter column(s) ${table.counters.join(", ")}: Cassandra changes counters only by increments, so a snapshot cannot put them back`,
      );
  }
  const declared = new Map(declaredTopics(to.topicDurability, topicDefinitions(to)).map((t) => [t.name, t.partitions]));
  for (const topic of data.topics) {
    const partitions = ((await data.kafka.partitions(topic)) ?? []).length;
    const wanted = declared.get(topic) ?? 0;
    if (partitions > wanted)
      problems.push(
        `topic ${topic} has ${partitions} partitions here and the new stack declares ${wanted}: each record goes back to its own partition`,
      );
  }
  return problems;
}
