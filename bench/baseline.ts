/**
 * What the benchmark gives both sides alike: the schema the baseline's
 * cassandra-init runs, the override that gives Compose the app's images and
 * healthchecks, and how samples are summed up.
 */
import { join } from "node:path";
import { readCqlFiles } from "../lib/schema/cql-files";
import { parseCqlFile } from "../lib/schema/plan";
import { renderCql } from "../lib/schema/render";
import { parseConfig } from "../lib/config/config";
import { PROJECT_ROOT } from "../lib/project-root";
import type { SeedService, SynthesizedContainer } from "./synthesized";

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** The cql/ files rendered with the default settings: what cassandra-init's cqlsh -f runs. */
export function initSchemaCql(): string {
  const config = parseConfig({});
  const values = { keyspace: config.cassandra.keyspace, replication: config.cassandra.replication };
  return readCqlFiles(join(PROJECT_ROOT, "cql"))
    .map(parseCqlFile)
    .flatMap((f) => f.statements.map((s) => `${renderCql(s.text, values, `cql/${f.name}`)};`))
    .join("\n");
}

/**
 * The override that gives the baseline the app's images and healthchecks.
 * JSON is YAML, so Compose reads it; `$` is doubled, or Compose would fill in
 * the probe's own shell variables. (A function, as replaceAll reads a "$$"
 * string as one literal "$".)
 */
export function composeOverride(containers: Record<SeedService, SynthesizedContainer>): string {
  const service = (c: SynthesizedContainer) => ({
    image: c.image,
    healthcheck: { ...c.healthcheck, test: c.healthcheck.test.map((part) => part.replaceAll("$", () => "$$")) },
  });
  return JSON.stringify(
    {
      services: {
        zookeeper: service(containers.zookeeper),
        kafka: service(containers.kafka),
        cassandra: service(containers.cassandra),
        "kafka-init": { image: containers.kafka.image },
        "cassandra-init": { image: containers.cassandra.image },
      },
    },
    null,
    2,
  );
}
