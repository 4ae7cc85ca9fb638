/**
 * The data-loss gate's eyes: for planned changes, what the classification
 * needs to know about the live services (the broker's fallback for each
 * topic config, the CQL statements the schema step would run), then the
 * classification itself (gate/classify.ts), then what each loss would delete,
 * counted (data-loss.ts). Used by deploy's review and by `npm run plan`.
 */
import { join } from "node:path";
import type { ChatBattleConfig } from "../config/config";
import type { PlannedChange } from "../gate/planned-change";
import { classifyChanges, type PendingStatement } from "../gate/classify";
import type { Finding } from "../gate/findings";
import { connectAdmin, type KafkaAdmin, type KafkaClientTarget } from "../adapters/kafka/kafka-admin";
import { connectRecords, type KafkaRecords } from "../adapters/kafka/kafka-records";
import type { ServiceRuntime } from "../runtime/service-runtime";
import { connectWhenReady, type CqlSession } from "../adapters/cassandra/connect";
import type { CassandraConnection } from "../topology/connections";
import { AppliedFiles } from "../schema/applied-files";
import { readCqlFiles } from "../schema/cql-files";
import { pendingStatements } from "../schema/pending";
import { measureLosses } from "./data-loss";

/** How the judge reaches the services; each is asked only when a change needs it. */
export interface JudgeAccess {
  readonly kafka: () => KafkaClientTarget;
  readonly cassandra: () => CassandraConnection;
  /** The project folder, whose cql/ the schema step applies. */
  readonly projectRoot: string;
  /** Where the volumes are, to size them. */
  readonly runtime: ServiceRuntime;
}

export interface ChangeJudge {
  /**
   * Judges and counts `changes`. `waitForCassandra`: the schema step is about
   * to run, so Cassandra is given as long as the step would give it to
   * answer; otherwise it is asked once, briefly.
   */
  judge(changes: readonly PlannedChange[], options?: { readonly waitForCassandra?: boolean }): Promise<Finding[]>;
  close(): Promise<void>;
}

/** A quick look: a service that does not answer in this time is reported as such, not waited for. */
const GLANCE_SECONDS = 5;

export function changeJudge(config: ChatBattleConfig, access: JudgeAccess): ChangeJudge {
  let admin: Promise<KafkaAdmin> | undefined;
  let records: Promise<KafkaRecords> | undefined;
  let cassandra: Promise<CqlSession> | undefined;
  const kafka = () => (admin ??= connectAdmin(access.kafka()));
  const reader = () => (records ??= connectRecords(access.kafka()));
  const cql = (waitSeconds: number) => {
    // A failed glance is tried again (with a wait) when the schema step is next.
    cassandra ??= connectWhenReady({ ...access.cassandra(), waitSeconds }, { log: () => undefined }).catch(
      (error: unknown) => {
        cassandra = undefined;
        throw error;
      },
    );
    return cassandra;
  };

  /** The broker's fallback for each config of the topics whose config changes. */
  const topicDefaults = async (changes: readonly PlannedChange[]) => {
    const topics = changes.filter((c) => c.kind === "topic" && c.action === "update").map((c) => c.name);
    const found = new Map<string, Record<string, string>>();
    for (const topic of topics) {
      try {
        found.set(topic, await (await kafka()).configDefaults(topic));
      } catch {
        // Not known: the classification says so where it matters.
      }
    }
    return found;
  };

  /** The statements the schema step would run, when it runs; undefined when Cassandra cannot say. */
  const pendingCql = async (
    changes: readonly PlannedChange[],
    waitSeconds: number,
  ): Promise<PendingStatement[] | undefined> => {
    if (!changes.some((c) => c.kind === "schema-step" && (c.action === "create" || c.action === "replace"))) return [];
    try {
      const client = await cql(waitSeconds);
      const applied = await new AppliedFiles(client, config.cassandra.keyspace).read();
      return pendingStatements(readCqlFiles(join(access.projectRoot, "cql")), applied, {
        keyspace: config.cassandra.keyspace,
        replication: config.cassandra.replication,
      });
    } catch {
      return undefined;
    }
  };

  return {
    async judge(changes, options = {}) {
      const waitSeconds = options.waitForCassandra ? access.cassandra().waitSeconds : GLANCE_SECONDS;
      const [defaults, pending] = await Promise.all([topicDefaults(changes), pendingCql(changes, waitSeconds)]);
      const findings = classifyChanges(changes, {
        keyspace: config.cassandra.keyspace,
        topicDefaults: defaults,
        pendingCql: pending,
      });
      return measureLosses(findings, {
        kafka,
        records: reader,
        cassandra: () => cql(GLANCE_SECONDS),
        volumeSizes: () => access.runtime.volumeSizes(),
      });
    },
    async close() {
      const all = [
        admin?.then((a) => a.disconnect()),
        records?.then((r) => r.close()),
        cassandra?.then((c) => c.shutdown()),
      ];
      await Promise.allSettled(all.filter((p): p is Promise<void> => p !== undefined));
    },
  };
}
