/**
 * The keyspace's tables, row by row: read page by page (the driver fetches
 * the next page only when the last is used up), and written back with
 * `INSERT ... JSON`, each row with its write time and remaining TTL, a
 * partition's rows in one unlogged batch, many batches in flight.
 */
import type { CqlSession } from "../adapters/cassandra/connect";
import { microseconds } from "../adapters/cassandra/statements";
import type { CqlRow } from "../adapters/cassandra/cql-session";
import { RECORD_TABLE } from "../schema/applied-files";
import { insertJson, remainingTtl, type RowLine } from "./format";

/** A table's columns: the primary key first (partition key, then clustering), then the others by name. */
export interface TableShape {
  readonly name: string;
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  /** The partition key: the first columns of the primary key. */
  readonly partitionKey: readonly string[];
  /** Columns whose write time and TTL CQL can read: not in the key, not a collection or a non-frozen type. */
  readonly timed: readonly string[];
  /** Counter columns: Cassandra changes them only by increments, so a restore cannot put them back. */
  readonly counters: readonly string[];
}

/** Rows fetched per page: large enough for speed, small enough to keep memory flat. */
const PAGE_SIZE = 2000;
/** Groups of inserts in flight at once. */
const CONCURRENCY = 16;
/**
 * A group of inserts (one partition's, sent as one unlogged batch) holds at
 * most this many statements and about this many bytes of JSON: the node
 * applies a group as one mutation, and smaller groups would spend the time
 * on requests again, larger ones only on memory.
 */
const GROUP_STATEMENTS = 100;
const GROUP_BYTES = 256 * 1024;

const SIMPLE_TYPES = new Set([
  "ascii",
  "bigint",
  "blob",
  "boolean",
  "date",
  "decimal",
  "double",
  "duration",
  "float",
  "inet",
  "int",
  "smallint",
  "text",
  "time",
  "timestamp",
  "timeuuid",
  "tinyint",
  "uuid",
  "varchar",
  "varint",
]);

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Every table of the keyspace with its columns, as system_schema describes
 * them; not the schema applier's record of the CQL files it applied, which
 * belongs to the cluster it was applied to, not to the data.
 */
export async function tableShapes(client: CqlSession, keyspace: string): Promise<TableShape[]> {
  const result = await client.execute(
    "SELECT table_name, column_name, kind, position, type FROM system_schema.columns WHERE keyspace_name = ?",
    [keyspace],
    { prepare: true },
  );
  // A materialized view's rows come from its table: Cassandra rebuilds them, and refuses writes to a view.
  const views = new Set(
    (
      await client.execute("SELECT view_name FROM system_schema.views WHERE keyspace_name = ?", [keyspace], {
        prepare: true,
      })
    ).rows.map((r) => r.view_name as string),
  );
  const tables = new Map<string, { name: string; kind: string; position: number; type: string }[]>();
  for (const row of result.rows) {
    if (row.table_name === RECORD_TABLE || views.has(row.table_name)) continue;
    const list = tables.get(row.table_name) ?? [];
    list.push({ name: row.column_name, kind: row.kind, position: row.position, type: row.type });
    tables.set(row.table_name, list);
  }
  const rank = { partition_key: 0, clustering: 1, static: 2, regular: 2 } as Record<string, number>;
  return [...tables.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, columns]) => {
      const ordered = [...columns].sort(
        (a, b) => rank[a.kind] - rank[b.kind] || a.position - b.position || a.name.localeCompare(b.name),
      );
      const key = ordered.filter((c) => c.kind === "partition_key" || c.kind === "clustering");
      return {
        name,
        columns: ordered.map((c) => c.name),
        primaryKey: key.map((c) => c.name),
        partitionKey: key.filter((c) => c.kind === "partition_key").map((c) => c.name),
        timed: ordered
          .filter((c) => !key.includes(c) && (SIMPLE_TYPES.has(c.type) || c.type.startsWith("frozen<")))
          .map((c) => c.name),
        counters: ordered.filter((c) => c.type === "counter").map((c) => c.name),
      };
    });
}

/** Whether the table holds a row. */
export async function hasRows(client: CqlSession, keyspace: string, table: string): Promise<boolean> {
  return (await client.execute(`SELECT * FROM ${quote(keyspace)}.${quote(table)} LIMIT 1`)).rowLength > 0;
}

export async function truncate(client: CqlSession, keyspace: string, table: string): Promise<void> {
  await client.execute(`TRUNCATE ${quote(keyspace)}.${quote(table)}`);
}

/**
 * The table's rows as snapshot lines, a page at a time. Each cell's TTL is
 * given as it was at `takenAt`, the time the snapshot says it was taken: a
 * page read a minute into the save reads TTLs a minute shorter, and a restore
 * counts down from `takenAt`, so that minute is added back. Without it a
 * restored row would expire earlier by how long the save had run when its
 * page was read.
 */
export async function* readRows(
  client: CqlSession,
  keyspace: string,
  shape: TableShape,
  takenAt: Date,
): AsyncGenerator<RowLine> {
  const selected = [
    ...shape.columns.map((c) => `toJson(${quote(c)})`),
    ...shape.timed.flatMap((c) => [`WRITETIME(${quote(c)})`, `TTL(${quote(c)})`]),
  ];
  const query = `SELECT ${selected.join(", ")} FROM ${quote(keyspace)}.${quote(shape.name)}`;
  // Page by page with the paging state, each page asked for once the last is used: the driver's
  // own stream keeps fetching ahead into an array it shifts from, which grows and slows down
  // without bound on a large table.
  let pageState: string | undefined;
  do {
    // Asked for now: the node reads the TTLs at or after this, so adding this much back never overshoots.
    const elapsedSeconds = Math.max(0, Math.floor((Date.now() - takenAt.getTime()) / 1000));
    const page = await client.execute(query, [], { prepare: true, fetchSize: PAGE_SIZE, pageState });
    pageState = page.pageState ?? undefined;
    for (const row of page.rows) yield rowLine(shape, row, elapsedSeconds);
  } while (pageState);
}

function rowLine(shape: TableShape, row: CqlRow, elapsedSeconds: number): RowLine {
  const cells = row.values();
  const values: Record<string, string> = {};
  shape.columns.forEach((c, i) => {
    const json = cells[i] as string | null;
    if (json !== null && json !== "null") values[c] = json;
  });
  // Cells with the same write time and TTL are written together; the key and collections go with the first.
  const groups = new Map<string, { writetime: string; ttl: number | null; columns: string[] }>();
  shape.timed.forEach((c, i) => {
    const writetime = cells[shape.columns.length + 2 * i] as { toString(): string } | null;
    if (writetime === null || !(c in values)) return;
    const read = cells[shape.columns.length + 2 * i + 1] as number | null;
    const ttl = read === null ? null : read + elapsedSeconds;
    const id = `${writetime.toString()}/${ttl}`;
    const group = groups.get(id) ?? { writetime: writetime.toString(), ttl, columns: [] };
    group.columns.push(c);
    groups.set(id, group);
  });
  return { values, cells: [...groups.values()] };
}

/** What restoring one table came to. */
export interface RowsWritten {
  readonly rows: number;
  /** Rows whose every cell's TTL ran out between the save and now: not written. */
  readonly expired: number;
  /** Rows already there as the snapshot has them (a restore carried on): not written again. */
  readonly present: number;
}

/** Rows whose presence is looked up at once, when a restore carries on. */
const LOOKUP_CHUNK = 64;

/**
 * Per cell group of a row, whether the table holds it already as the
 * snapshot has it: the row, by its primary key, with the group's write time
 * on its first column (a group without timed columns: the row exists). Read
 * by the key's values as toJson gave them, through fromJson().
 */
async function cellGroupsThere(
  client: CqlSession,
  keyspace: string,
  shape: TableShape,
  row: RowLine,
): Promise<{ exists: boolean; groups: boolean[] }> {
  const probes = row.cells.map((g) => g.columns[0]);
  const selected = probes.length > 0 ? probes.map((c) => `WRITETIME(${quote(c)})`) : [quote(shape.primaryKey[0])];
  const where = shape.primaryKey.map((k) => `${quote(k)} = fromJson(?)`).join(" AND ");
  const result = await client.execute(
    `SELECT ${selected.join(", ")} FROM ${quote(keyspace)}.${quote(shape.name)} WHERE ${where}`,
    shape.primaryKey.map((k) => row.values[k]),
    { prepare: true },
  );
  const found = result.first();
  if (!found) return { exists: false, groups: row.cells.map(() => false) };
  const cells = found.values();
  return { exists: true, groups: row.cells.map((g, i) => String(cells[i]) === g.writetime) };
}

/**
 * Writes the rows back, each cell with its write time and what is left of
 * its TTL. `progress` is told the rows read so far. With
 * `keepWhatIsThere` (a restore carried on), a row or cell group the table
 * already holds as the snapshot has it is not written again: writing it
 * over would be harmless for plain columns (the same value and write time)
 * but would append a list's elements a second time.
 */
export async function writeRows(
  client: CqlSession,
  keyspace: string,
  shape: TableShape,
  rows: AsyncIterable<RowLine>,
  savedAt: Date,
  progress: (rows: number) => void,
  options: { readonly keepWhatIsThere?: boolean } = {},
): Promise<RowsWritten> {
  const statement = `INSERT INTO ${quote(keyspace)}.${quote(shape.name)} JSON ? DEFAULT UNSET USING TTL ? AND TIMESTAMP ?`;
  let read = 0;
  let expired = 0;
  let present = 0;
  function* statementsFor(
    row: RowLine,
    there: { exists: boolean; groups: readonly boolean[] } | undefined,
  ): Generator<unknown[]> {
    const untimed = shape.columns.filter((c) => c in row.values && !row.cells.some((g) => g.columns.includes(c)));
    if (row.cells.length === 0) {
      // No cell with a write time (only the key and collections): written now, without TTL.
      if (!there?.exists) yield [insertJson(row.values, untimed), 0, microseconds(Date.now() * 1000)];
      return;
    }
    let written = false;
    // What is left of a TTL is worked out as the statement is made, just before it is sent: worked out
    // once for the whole table, the rows written last would get seconds more than they had.
    const now = new Date();
    for (const [i, group] of row.cells.entries()) {
      const ttl = remainingTtl(group.ttl, savedAt, now);
      if (ttl === undefined) continue;
      written = true;
      if (there?.groups[i]) continue;
      const columns = [
        ...shape.primaryKey,
        ...(i === 0 ? untimed.filter((c) => !shape.primaryKey.includes(c)) : []),
        ...group.columns,
      ];
      yield [insertJson(row.values, columns), ttl, microseconds(group.writetime)];
    }
    if (!written) expired += 1;
  }
  /** The statements of the rows, consecutive ones of one partition in one group (rows come partition by partition). */
  async function* groups(): AsyncGenerator<unknown[][]> {
    let group: unknown[][] = [];
    let groupPartition: string | undefined;
    let groupBytes = 0;
    let chunk: RowLine[] = [];
    function* add(row: RowLine, there: { exists: boolean; groups: boolean[] } | undefined): Generator<unknown[][]> {
      if (there?.exists && there.groups.every(Boolean)) present += 1;
      const partition = shape.partitionKey.map((k) => row.values[k]).join("\u0000");
      for (const statement of statementsFor(row, there)) {
        const bytes = (statement[0] as string).length;
        if (
          group.length > 0 &&
          (partition !== groupPartition || group.length === GROUP_STATEMENTS || groupBytes + bytes > GROUP_BYTES)
        ) {
          yield group;
          group = [];
          groupBytes = 0;
        }
        group.push(statement);
        groupPartition = partition;
        groupBytes += bytes;
      }
    }
    async function* flush() {
      const there = options.keepWhatIsThere
        ? await Promise.all(chunk.map((row) => cellGroupsThere(client, keyspace, shape, row)))
        : [];
      for (const [i, row] of chunk.entries()) yield* add(row, there[i]);
      chunk = [];
    }
    for await (const row of rows) {
      read += 1;
      if (read % 1000 === 0) progress(read);
      chunk.push(row);
      if (chunk.length === LOOKUP_CHUNK || !options.keepWhatIsThere) yield* flush();
    }
    yield* flush();
    if (group.length > 0) yield group;
  }
  await client.executeInGroups(statement, groups(), CONCURRENCY);
  progress(read);
  return { rows: read - expired, expired, present };
}

/** Cassandra's own keyspaces: never a user's data, never in a snapshot. */
const SYSTEM_KEYSPACES = new Set([
  "system",
  "system_auth",
  "system_distributed",
  "system_schema",
  "system_traces",
  "system_views",
  "system_virtual_schema",
  "system_cluster_metadata",
]);

/** The keyspaces that hold users' data: every one but Cassandra's own. */
export async function userKeyspaces(client: CqlSession): Promise<string[]> {
  const result = await client.execute("SELECT keyspace_name FROM system_schema.keyspaces");
  return result.rows
    .map((r) => r.keyspace_name as string)
    .filter((k) => !SYSTEM_KEYSPACES.has(k))
    .sort();
}

/**
 * Writes this node has taken per table since it started ("keyspace.table" →
 * count), from its virtual table system_views.local_write_latency (Cassandra
 * 4.1 and later); undefined where the node has no such table.
 */
export async function tableWriteCounts(client: CqlSession): Promise<Map<string, number> | undefined> {
  try {
    const result = await client.execute(
      "SELECT keyspace_name, table_name, count FROM system_views.local_write_latency",
    );
    return new Map(result.rows.map((r) => [`${r.keyspace_name}.${r.table_name}`, Number(r.count)]));
  } catch {
    return undefined;
  }
}
