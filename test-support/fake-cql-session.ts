/**
 * A keyspace in memory behind the CqlSession port, with one table,
 * messages (channel text, id int, body text), answering exactly the
 * statements snapshot save and restore make: the schema, a row probe, a
 * paged read with toJson and write times, TRUNCATE, and INSERT … JSON in groups. Any
 * other statement fails, naming it. It proves the logic around the port,
 * never what Cassandra does: the e2e suites show that.
 */
import type { CqlResult, CqlRow, CqlSession } from "../lib/adapters/cassandra/cql-session";

/** A row of messages, with its body's write time (microseconds) and TTL. */
export interface FakeMessage {
  readonly channel: string;
  readonly id: number;
  readonly body: string;
  readonly writetime: bigint;
  readonly ttl: number | null;
}

const COLUMNS = [
  { table_name: "messages", column_name: "channel", kind: "partition_key", position: 0, type: "text" },
  { table_name: "messages", column_name: "id", kind: "clustering", position: 0, type: "int" },
  { table_name: "messages", column_name: "body", kind: "regular", position: -1, type: "text" },
];

// Rows are plain objects here; the driver's carry more than the snapshot code reads.
const answer = (found: object[]): CqlResult => ({
  rows: found as CqlRow[],
  rowLength: found.length,
  pageState: undefined,
  first: () => (found[0] as CqlRow) ?? null,
});

export class FakeCqlSession implements CqlSession {
  readonly rows: FakeMessage[] = [];
  /** Every statement run, as its first words. */
  readonly statements: string[] = [];
  /** The size of each group of inserts run, in order. */
  readonly groupSizes: number[] = [];

  constructor(rows: readonly FakeMessage[] = []) {
    this.rows.push(...rows);
  }

  async execute(query: string, params: readonly unknown[] = []): Promise<CqlResult> {
    this.statements.push(query.split(" ").slice(0, 2).join(" "));
    if (query.includes("system_schema.columns")) return answer(COLUMNS);
    if (query.includes("system_schema.views")) return answer([]);
    if (/^SELECT \* FROM .*messages" LIMIT 1$/.test(query)) return answer(this.rows.slice(0, 1));
    if (query.startsWith("TRUNCATE ")) {
      this.rows.length = 0;
      return answer([]);
    }
    if (query.startsWith("SELECT toJson(")) {
      // The columns' JSON in the shape's order, then WRITETIME and TTL of the timed column (body).
      return answer(
        this.rows.map((r) => ({
          values: () => [JSON.stringify(r.channel), String(r.id), JSON.stringify(r.body), r.writetime, r.ttl],
        })),
      );
    }
    throw new Error(`the fake CQL session was not told how to answer ${query} (${JSON.stringify(params)})`);
  }

  async executeInGroups(statement: string, groups: AsyncIterable<unknown[][]>): Promise<void> {
    if (!/^INSERT INTO .*messages" JSON \? DEFAULT UNSET USING TTL \? AND TIMESTAMP \?$/.test(statement))
      throw new Error(`the fake CQL session was not told how to run ${statement}`);
    for await (const group of groups) {
      this.groupSizes.push(group.length);
      for (const parameters of group) this.insert(parameters);
    }
  }

  private insert([json, ttl, timestamp]: unknown[]): void {
    const values = JSON.parse(json as string) as Record<string, unknown>;
    this.rows.push({
      channel: values.channel as string,
      id: values.id as number,
      body: values.body as string,
      writetime: BigInt(String(timestamp)),
      ttl: ttl === 0 ? null : (ttl as number),
    });
  }

  async schemaAgreed(): Promise<boolean> {
    return true;
  }

  async shutdown(): Promise<void> {}
}
