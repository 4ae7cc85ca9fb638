/**
 * Which CQL statements delete data: DROP KEYSPACE, DROP TABLE, TRUNCATE,
 * ALTER TABLE … DROP, DELETE (also inside a BATCH), and DROP INDEX or
 * MATERIALIZED VIEW (derived data: the table's rows stay). Everything else a
 * cql/ file holds (CREATE, ALTER … ADD or WITH, INSERT, UPDATE, DROP of a
 * type or function) deletes no row. Statements come as the applier runs
 * them: comments stripped, placeholders filled in.
 */
import type { LossQuery } from "./findings";

/** A CQL name, bare (folded to lower case, as Cassandra does) or in double quotes (kept as written). */
const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)`;
const QUALIFIED = String.raw`(?:(${NAME})\s*\.\s*)?(${NAME})`;

/** A name as Cassandra stores it. */
export function cqlName(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text.toLowerCase();
}

const rules: readonly [RegExp, (m: RegExpExecArray, keyspace: string) => LossQuery][] = [
  [
    new RegExp(String.raw`^DROP\s+KEYSPACE\s+(?:IF\s+EXISTS\s+)?(${NAME})\s*$`, "i"),
    (m) => ({ kind: "keyspace", keyspace: cqlName(m[1]) }),
  ],
  [
    new RegExp(String.raw`^DROP\s+(?:TABLE|COLUMNFAMILY)\s+(?:IF\s+EXISTS\s+)?${QUALIFIED}\s*$`, "i"),
    (m, ks) => ({ kind: "table", keyspace: m[1] ? cqlName(m[1]) : ks, table: cqlName(m[2]) }),
  ],
  [
    new RegExp(String.raw`^TRUNCATE\s+(?:TABLE\s+|COLUMNFAMILY\s+)?${QUALIFIED}\s*$`, "i"),
    (m, ks) => ({ kind: "table", keyspace: m[1] ? cqlName(m[1]) : ks, table: cqlName(m[2]) }),
  ],
  [
    new RegExp(
      String.raw`^ALTER\s+(?:TABLE|COLUMNFAMILY)\s+(?:IF\s+EXISTS\s+)?${QUALIFIED}\s+DROP\s+(?:IF\s+EXISTS\s+)?(\([^)]*\)|${NAME})(?:\s+USING\s+TIMESTAMP\s+\d+)?\s*$`,
      "i",
    ),
    (m, ks) => ({
      kind: "columns",
      keyspace: m[1] ? cqlName(m[1]) : ks,
      table: cqlName(m[2]),
      columns: m[3]
        .replace(/^\(|\)$/g, "")
        .split(",")
        .map((c) => cqlName(c.trim())),
    }),
  ],
  [
    new RegExp(String.raw`^DROP\s+(?:INDEX|MATERIALIZED\s+VIEW)\s+(?:IF\s+EXISTS\s+)?${QUALIFIED}\s*$`, "i"),
    (m, ks) => ({ kind: "derived", keyspace: m[1] ? cqlName(m[1]) : ks, name: cqlName(m[2]) }),
  ],
  [
    new RegExp(
      String.raw`^DELETE\s+(?:[^;]*?\s+)?FROM\s+${QUALIFIED}(?:\s+USING\s+TIMESTAMP\s+\d+)?\s+WHERE\s+([\s\S]+?)(?:\s+IF\s+(?:EXISTS|[\s\S]+))?\s*$`,
      "i",
    ),
    (m, ks) => ({
      kind: "matching-rows",
      keyspace: m[1] ? cqlName(m[1]) : ks,
      table: cqlName(m[2]),
      where: m[3].trim(),
    }),
  ],
];

/**
 * What a statement deletes, or nothing when it deletes no data. `keyspace` is
 * the keyspace an unqualified name belongs to (the configured one: the
 * applier runs no USE). A BATCH is judged by its statements.
 */
export function cqlLosses(statement: string, keyspace: string): LossQuery[] {
  const text = statement.trim().replace(/\s+/g, " ");
  const batch =
    /^BEGIN\s+(?:UNLOGGED\s+|COUNTER\s+)?BATCH(?:\s+USING\s+TIMESTAMP\s+\d+)?\s+([\s\S]*?)\s*APPLY\s+BATCH\s*$/i.exec(
      text,
    );
  if (batch) return splitBatch(batch[1]).flatMap((inner) => cqlLosses(inner, keyspace));
  for (const [pattern, loss] of rules) {
    const match = pattern.exec(text);
    if (match) return [loss(match, keyspace)];
  }
  return [];
}

/** The statements of a batch body, split at semicolons outside quotes. */
function splitBatch(body: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (const c of body) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === ";") {
      parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** The clause a finding says about a loss of `statement`, before it is counted. */
export function describeCqlLoss(loss: LossQuery, statement: string): string {
  switch (loss.kind) {
    case "keyspace":
      return `drops keyspace ${loss.keyspace} with every table in it`;
    case "table":
      return /^\s*TRUNCATE/i.test(statement)
        ? `deletes every row of ${loss.keyspace}.${loss.table}`
        : `drops table ${loss.keyspace}.${loss.table} with every row`;
    case "columns":
      return `drops column${loss.columns.length > 1 ? "s" : ""} ${loss.columns.join(", ")} of ${loss.keyspace}.${loss.table} with ${loss.columns.length > 1 ? "their" : "its"} values`;
    case "matching-rows":
      return `deletes the rows of ${loss.keyspace}.${loss.table} where ${loss.where}`;
    case "derived":
      return `drops the index or view ${loss.keyspace}.${loss.name} (its table's rows stay; it is back only when created again)`;
    default:
      return "deletes data";
  }
}
