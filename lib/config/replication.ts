import type { SettingsReader } from "./settings-reader";

/** How the keyspace is replicated. */
export type Replication =
  | { readonly strategy: "SimpleStrategy"; readonly replicationFactor: number }
  | { readonly strategy: "NetworkTopologyStrategy"; readonly perDatacenter: Readonly<Record<string, number>> };

const DATACENTER_FACTOR = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(\d+)$/;

/**
 * The keyspace's replication from CASSANDRA_REPLICATION_FACTOR (SimpleStrategy,
 * default 1) or CASSANDRA_REPLICATION (per datacenter, NetworkTopologyStrategy),
 * never both. Read once, here, for the deploy and the applier alike.
 */
export function readReplication(settings: SettingsReader): Replication {
  const factorText = settings.get("CASSANDRA_REPLICATION_FACTOR", "1");
  const perDatacenterText = settings.get(
    "CASSANDRA_REPLICATION",
    "unset: SimpleStrategy with CASSANDRA_REPLICATION_FACTOR",
  );
  if (perDatacenterText !== undefined) {
    const entries = perDatacenterText.split(",").map((e) => DATACENTER_FACTOR.exec(e.trim()));
    const names = entries.map((m) => m?.[1]);
    if (entries.some((m) => !m || Number(m[2]) < 1) || new Set(names).size !== names.length) {
      settings.problem(
        "CASSANDRA_REPLICATION",
        "must be datacenter:factor pairs, each factor at least 1, each datacenter once, e.g. dc1:3,dc2:3",
      );
    } else if (factorText !== undefined) {
      settings.problem(
        "CASSANDRA_REPLICATION",
        "is set together with CASSANDRA_REPLICATION_FACTOR; set only one of them",
      );
    } else {
      return {
        strategy: "NetworkTopologyStrategy",
        perDatacenter: Object.fromEntries(entries.map((m) => [m![1], Number(m![2])])),
      };
    }
  }
  const factor = /^\d+$/.test(factorText ?? "1") ? Number(factorText ?? "1") : NaN;
  if (!(factor >= 1 && factor <= 1000)) {
    settings.problem("CASSANDRA_REPLICATION_FACTOR", "must be a whole number of at least 1", "1");
  }
  return { strategy: "SimpleStrategy", replicationFactor: factor };
}

/** The replication as the schema applier's settings spell it. */
export function replicationSettings(replication: Replication): Record<string, string> {
  return replication.strategy === "SimpleStrategy"
    ? { CASSANDRA_REPLICATION_FACTOR: String(replication.replicationFactor) }
    : {
        CASSANDRA_REPLICATION: Object.entries(replication.perDatacenter)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([dc, factor]) => `${dc}:${factor}`)
          .join(","),
      };
}
