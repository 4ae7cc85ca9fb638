/**
 * Counts what each change that loses data would delete, on the live
 * services, before anyone is asked: a topic's records (end offset minus
 * start offset), those past a new retention (the offsets for a timestamp),
 * those compaction would remove (read, key by key), a volume's size, a
 * table's rows (see schema/cql-losses.ts). A change whose target turns out
 * to hold nothing loses nothing and becomes safe.
 */
import type { KafkaAdmin } from "../adapters/kafka/kafka-admin";
import type { KafkaRecords } from "../adapters/kafka/kafka-records";
import type { CqlSession } from "../adapters/cassandra/connect";
import { measureCqlLoss } from "../schema/cql-losses";
import { settled, type Finding, type LossQuery, type Measured } from "../gate/findings";
import { duration, size } from "../gate/topic-settings";

/** How to reach what the losses are counted on; each is opened only when a loss needs it. */
export interface LossProbes {
  readonly kafka?: () => Promise<KafkaAdmin>;
  readonly records?: () => Promise<KafkaRecords>;
  readonly cassandra?: () => Promise<CqlSession>;
  /** Volume sizes in bytes, by name (the runtime's). */
  readonly volumeSizes?: () => Promise<Map<string, number>>;
}

const need = <T>(probe: (() => T) | undefined, what: string): T => {
  if (!probe) throw new Error(`${what} is not reachable from here`);
  return probe();
};

/** Records in a topic without reading them: end offset minus start offset, summed over the partitions. */
export async function topicContents(
  admin: KafkaAdmin,
  topic: string,
): Promise<{ partitions: number; messages: number }> {
  const offsets = await admin.topicOffsets(topic);
  return { partitions: offsets.length, messages: offsets.reduce((sum, p) => sum + Number(p.high - p.low), 0) };
}

/** Reads every record of a topic once: how many there are, how many compaction would remove, how many are tombstones. */
async function compactionCounts(
  records: KafkaRecords,
  topic: string,
): Promise<{ total: number; superseded: number; tombstones: number }> {
  const partitions = (await records.partitions(topic)) ?? [];
  let total = 0;
  let superseded = 0;
  let tombstones = 0;
  for (const partition of partitions) {
    // Compaction works per partition: each key keeps its last record there.
    const seen = new Set<string>();
    let kept = 0;
    let read = 0;
    for await (const record of records.read(topic, partition, partition.low, partition.high)) {
      read += 1;
      if (record.value === null) tombstones += 1;
      if (record.key !== null && !seen.has(record.key.toString("base64"))) {
        seen.add(record.key.toString("base64"));
        kept += 1;
      }
    }
    total += read;
    superseded += read - kept;
  }
  return { total, superseded, tombstones };
}

async function measure(loss: LossQuery, probes: LossProbes): Promise<Measured> {
  const kafka = () => need(probes.kafka, "Kafka");
  switch (loss.kind) {
    case "topic-records": {
      const { partitions, messages } = await topicContents(await kafka(), loss.topic);
      return {
        text: `It holds ${partitions} partition(s), ${messages} message(s).`,
        records: messages,
        exact: true,
        holdsNothing: messages === 0,
      };
    }
    case "topic-older-than": {
      const admin = await kafka();
      const [all, kept] = await Promise.all([
        admin.topicOffsets(loss.topic),
        admin.offsetsAt(loss.topic, Date.now() - loss.retentionMs),
      ]);
      const total = all.reduce((sum, p) => sum + Number(p.high - p.low), 0);
      const older = kept.reduce((sum, p) => sum + Math.max(0, Number(p.high - p.low)), 0);
      return {
        text:
          `${older} of its ${total} message(s) are older than ${duration(loss.retentionMs)} now: they go at the broker's next retention checks, ` +
          `each once the newest message of its segment is that old too${older < total ? "; the others as they reach that age" : ""}.`,
        records: older,
        exact: true,
        holdsNothing: total === 0,
      };
    }
    case "topic-over-bytes": {
      const admin = await kafka();
      const [sizes, offsets] = await Promise.all([admin.partitionSizes(loss.topic), admin.topicOffsets(loss.topic)]);
      const over = sizes.filter((p) => p.bytes > loss.retentionBytes);
      const total = offsets.reduce((sum, p) => sum + Number(p.high - p.low), 0);
      const atMost = offsets
        .filter((o) => over.some((p) => p.partition === o.partition))
        .reduce((sum, p) => sum + Number(p.high - p.low), 0);
      if (over.length === 0)
        return {
          text: `No partition holds more than ${size(loss.retentionBytes)} now; ${total} message(s) go once their partition grows past it.`,
          records: 0,
          exact: true,
          holdsNothing: total === 0,
        };
      return {
        text:
          `${over.map((p) => `partition ${p.partition} holds ${size(p.bytes)}`).join(", ")}, more than ${size(loss.retentionBytes)}: ` +
          `its oldest segments go, up to ${atMost} of the topic's ${total} message(s) (Kafka deletes whole segments, so the exact number depends on where they end).`,
        records: atMost,
        bytes: over.reduce((sum, p) => sum + p.bytes - loss.retentionBytes, 0),
        exact: false,
      };
    }
    case "topic-superseded": {
      const counts = await compactionCounts(await need(probes.records, "Kafka"), loss.topic);
      return {
        text: `${counts.superseded} of its ${counts.total} message(s) are older records of a key, or have no key.`,
        records: counts.superseded,
        exact: true,
        holdsNothing: counts.superseded === 0,
      };
    }
    case "topic-tombstones": {
      const counts = await compactionCounts(await need(probes.records, "Kafka"), loss.topic);
      return {
        text: `It holds ${counts.tombstones} tombstone(s) among ${counts.total} message(s).`,
        records: counts.tombstones,
        exact: true,
        holdsNothing: counts.tombstones === 0,
      };
    }
    case "volume": {
      const bytes = (await need(probes.volumeSizes, "the runtime")).get(loss.volume);
      if (bytes === undefined)
        return { text: "It does not exist yet: nothing is lost.", bytes: 0, exact: true, holdsNothing: true };
      return { text: `It holds ${size(bytes)}.`, bytes, exact: true, holdsNothing: bytes === 0 };
    }
    default:
      return measureCqlLoss(await need(probes.cassandra, "Cassandra"), loss);
  }
}

/** Every loses-data finding with what it would delete counted; one that holds nothing becomes safe. */
export async function measureLosses(findings: readonly Finding[], probes: LossProbes): Promise<Finding[]> {
  return Promise.all(
    findings.map(async (finding) => {
      if (finding.class !== "loses-data" || !finding.loss) return finding;
      try {
        return settled({ ...finding, measured: await measure(finding.loss, probes) });
      } catch (error) {
        return {
          ...finding,
          measured: {
            text: `What it would delete could not be counted (${error instanceof Error ? error.message : error}).`,
            exact: false,
          },
        };
      }
    }),
  );
}
