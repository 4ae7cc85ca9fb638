import type { CqlSession } from "../adapters/cassandra/connect";
import { EXPECTED_TABLES, type ExpectedTable } from "./expected-schema";
import type { Replication } from "../config/config";

/** One comparison of the live schema with what cql/ declares. */
export interface SchemaCheck {
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
  readonly ok: boolean;
}

const simpleName = (className: string) => className.slice(className.lastIndexOf(".") + 1);

function expectedReplication(replication: Replication): Record<string, string> {
  return replication.strategy === "SimpleStrategy"
    ? { class: "SimpleStrategy", replication_factor: String(replication.replicationFactor) }
    : {
        class: "NetworkTopologyStrategy",
        ...Object.fromEntries(Object.entries(replication.perDatacenter).map(([k, v]) => [k, String(v)])),
      };
}

const show = (map: Record<string, string>) =>
  Object.entries(map)
    .sort(([a], [b]) => (a === "class" ? -1 : b === "class" ? 1 : a.localeCompare(b)))
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");

/** Compares the live keyspace and tables with what cql/ declares. */
export async function verifySchema(
  client: CqlSession,
  keyspace: string,
  replication: Replication,
  tables: readonly ExpectedTable[] = EXPECTED_TABLES,
): Promise<SchemaCheck[]> {
  const checks: SchemaCheck[] = [];
  const check = (what: string, expected: string, actual: string) =>
    checks.push({ what, expected, actual, ok: expected === actual });

  const ks = (
    await client.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", [keyspace])
  ).first();
  if (!ks) {
    check(`keyspace ${keyspace}`, "exists", "missing");
    return checks;
  }
  const liveReplication = Object.fromEntries(
    Object.entries(ks.get("replication") as Record<string, string>).map(([k, v]) => [
      k,
      k === "class" ? simpleName(v) : v,
    ]),
  );
  check(`keyspace ${keyspace} replication`, show(expectedReplication(replication)), show(liveReplication));

  for (const table of tables) {
    const name = `${keyspace}.${table.name}`;
    const row = (
      await client.execute(
        "SELECT default_time_to_live, compaction FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
        [keyspace, table.name],
      )
    ).first();
    if (!row) {
      check(`table ${name}`, "exists", "missing");
      continue;
    }
    check(
      `${name} default_time_to_live`,
      String(table.defaultTimeToLiveSeconds),
      String(row.get("default_time_to_live")),
    );
    const compaction = row.get("compaction") as Record<string, string>;
    const liveCompaction = Object.fromEntries(
      Object.keys(table.compaction).map((k) => [
        k,
        k === "class" ? simpleName(compaction[k] ?? "") : (compaction[k] ?? "(unset)"),
      ]),
    );
    check(`${name} compaction`, show({ ...table.compaction }), show(liveCompaction));

    const columns = (
      await client.execute(
        "SELECT column_name, type, kind, position, clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
        [keyspace, table.name],
      )
    ).rows;
    const byName = new Map(columns.map((c) => [c.get("column_name") as string, c]));
    for (const column of table.columns) {
      const live = byName.get(column.name);
      const describe = (type: string, kind: string, position?: number, order?: string) =>
        [type, kind, kind === "regular" ? "" : `#${position}`, kind === "clustering" ? order : ""]
          .filter(Boolean)
          .join(" ");
      check(
        `${name} column ${column.name}`,
        describe(column.type, column.kind, column.position, column.clusteringOrder),
        live
          ? describe(live.get("type"), live.get("kind"), live.get("position"), live.get("clustering_order"))
          : "missing",
      );
    }
    const declared = new Set(table.columns.map((c) => c.name));
    for (const extra of [...byName.keys()].filter((n) => !declared.has(n)).sort()) {
      check(`${name} column ${extra}`, "not declared", "present");
    }
  }
  return checks;
}
