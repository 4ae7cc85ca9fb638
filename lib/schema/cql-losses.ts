/**
 * Counts what a CQL statement would delete, on the live Cassandra, before it
 * runs: rows where a count is cheap (up to COUNT_LIMIT, read page by page),
 * else the size Cassandra estimates on disk.
 */
import type { CqlSession } from "../adapters/cassandra/connect";
import type { LossQuery, Measured } from "../gate/findings";
import { RECORD_TABLE } from "./applied-files";

/** Rows read at most to count a table's: beyond it, the estimate of its size on disk is given instead. */
export const COUNT_LIMIT = 100_000;
const PAGE = 5000;
/** How long one count may take: a count is a look, never a wait. */
const COUNT_TIMEOUT_MS = 30_000;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Rows (or rows holding a value in `column`), counted up to COUNT_LIMIT; undefined past it. */
async function countRows(
  client: CqlSession,
  keyspace: string,
  table: string,
  column?: string,
): Promise<number | undefined> {
  const key = column ?? (await partitionKeyColumn(client, keyspace, table));
  const query = `SELECT ${quote(key)} FROM ${quote(keyspace)}.${quote(table)}`;
  let pageState: string | undefined;
  let rows = 0;
  let read = 0;
  do {
    const page = await client.execute(query, [], {
      prepare: true,
      fetchSize: PAGE,
      pageState,
      readTimeout: COUNT_TIMEOUT_MS,
    });
    pageState = page.pageState ?? undefined;
    read += page.rowLength;
    rows += column ? page.rows.filter((r) => r.values()[0] !== null).length : page.rowLength;
    if (read > COUNT_LIMIT) return undefined;
  } while (pageState);
  return rows;
}

async function partitionKeyColumn(client: CqlSession, keyspace: string, table: string): Promise<string> {
  const result = await client.execute(
    "SELECT column_name, kind, position FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
    [keyspace, table],
    { prepare: true },
  );
  const key = result.rows.filter((r) => r.kind === "partition_key").sort((a, b) => a.position - b.position)[0];
  if (!key) throw new Error(`table ${keyspace}.${table} does not exist`);
  return key.column_name as string;
}

async function tableExists(client: CqlSession, keyspace: string, table: string): Promise<boolean> {
  const result = await client.execute(
    "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
    [keyspace, table],
    { prepare: true },
  );
  return result.rowLength > 0;
}

/** Cassandra's own estimate of a table's size on disk (system.size_estimates), in bytes; 0 when it has none yet. */
async function estimatedBytes(client: CqlSession, keyspace: string, table: string): Promise<number> {
  const result = await client.execute(
    "SELECT mean_partition_size, partitions_count FROM system.size_estimates WHERE keyspace_name = ? AND table_name = ?",
    [keyspace, table],
    { prepare: true },
  );
  return result.rows.reduce((sum, r) => sum + Number(r.mean_partition_size) * Number(r.partitions_count), 0);
}

const over = async (client: CqlSession, keyspace: string, table: string) => {
  const bytes = await estimatedBytes(client, keyspace, table);
  return {
    bytes,
    text: `more than ${COUNT_LIMIT} row(s)${bytes > 0 ? `, about ${(bytes / 1e6).toFixed(1)} MB on disk (Cassandra's estimate)` : ""}`,
  };
};

/** What `loss` would delete, counted; throws when Cassandra cannot be asked (the caller says so). */
export async function measureCqlLoss(client: CqlSession, loss: LossQuery): Promise<Measured> {
  switch (loss.kind) {
    case "table": {
      if (!(await tableExists(client, loss.keyspace, loss.table)))
        return { text: "The table does not exist: nothing is lost.", rows: 0, exact: true, holdsNothing: true };
      const rows = await countRows(client, loss.keyspace, loss.table);
      if (rows === undefined) {
        const big = await over(client, loss.keyspace, loss.table);
        return { text: `It holds ${big.text}.`, bytes: big.bytes || undefined, exact: false };
      }
      return { text: `It holds ${rows} row(s).`, rows, exact: true, holdsNothing: rows === 0 };
    }
    case "keyspace": {
      const tables = (
        await client.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [loss.keyspace], {
          prepare: true,
        })
      ).rows
        .map((r) => r.table_name as string)
        .filter((t) => t !== RECORD_TABLE);
      if (tables.length === 0)
        return { text: "It holds no table: nothing is lost.", rows: 0, exact: true, holdsNothing: true };
      let rows = 0;
      let exact = true;
      let bytes = 0;
      for (const table of tables) {
        const counted = await countRows(client, loss.keyspace, table);
        if (counted === undefined) {
          exact = false;
          rows += COUNT_LIMIT;
          bytes += await estimatedBytes(client, loss.keyspace, table);
        } else {
          rows += counted;
        }
      }
      return {
        text: `It holds ${tables.length} table(s) (${tables.join(", ")}) with ${exact ? "" : "more than "}${rows} row(s)${bytes > 0 ? `, about ${(bytes / 1e6).toFixed(1)} MB on disk` : ""}.`,
        rows,
        bytes: bytes || undefined,
        exact,
        holdsNothing: exact && rows === 0,
      };
    }
    case "columns": {
      if (!(await tableExists(client, loss.keyspace, loss.table)))
        return { text: "The table does not exist: nothing is lost.", rows: 0, exact: true, holdsNothing: true };
      const total = await countRows(client, loss.keyspace, loss.table);
      const holding = await Promise.all(loss.columns.map((c) => countRows(client, loss.keyspace, loss.table, c)));
      if (total === undefined || holding.some((h) => h === undefined)) {
        const big = await over(client, loss.keyspace, loss.table);
        return {
          text: `The table holds ${big.text}; how many hold a value in ${loss.columns.join(", ")} was not counted.`,
          bytes: big.bytes || undefined,
          exact: false,
        };
      }
      const values = holding.reduce<number>((a, b) => a + (b ?? 0), 0);
      const each =
        loss.columns.length === 1 ? "" : ` (${loss.columns.map((c, i) => `${c}: ${holding[i]}`).join(", ")})`;
      return {
        text: `${values} of the table's ${total} row(s) hold a value in it${each}.`,
        rows: values,
        exact: true,
        holdsNothing: values === 0,
      };
    }
    case "matching-rows": {
      if (!(await tableExists(client, loss.keyspace, loss.table)))
        return { text: "The table does not exist: nothing is lost.", rows: 0, exact: true, holdsNothing: true };
      try {
        const result = await client.execute(
          `SELECT COUNT(*) AS n FROM ${quote(loss.keyspace)}.${quote(loss.table)} WHERE ${loss.where}`,
          [],
          { readTimeout: COUNT_TIMEOUT_MS },
        );
        const rows = Number(result.rows[0].n);
        return { text: `It matches ${rows} row(s).`, rows, exact: true, holdsNothing: rows === 0 };
      } catch (error) {
        return {
          text: `The rows it matches could not be counted (${error instanceof Error ? error.message : error}).`,
          exact: false,
        };
      }
    }
    case "derived":
      return { text: "Its table's rows stay.", exact: true };
    default:
      throw new Error(`measureCqlLoss: ${loss.kind} is not a CQL loss`);
  }
}
