/**
 * What cql/ makes of an empty keyspace, made for real in a scratch keyspace
 * of the same Cassandra, then dropped: the tables and columns a stack
 * deployed from nothing would have. `npm run migrate` compares them with the
 * data it is about to move before it removes anything, so that a table made
 * by hand, or a column added by hand, is found while the old stack is there.
 *
 * Only statements that shape the scratch keyspace itself run: CREATE and
 * ALTER of a keyspace, table or type named in it. Anything that writes data,
 * or names another keyspace (a file that spells the keyspace out instead of
 * {{keyspace}}), is left out, so the real keyspace is never touched.
 */
import type { CqlSession } from "../adapters/cassandra/connect";
import type { CqlFile } from "./cql-files";
import { parseCqlFile } from "./plan";
import { renderCql, type TemplateValues } from "./render";
import { cqlName } from "../gate/cql-statements";

/** The scratch keyspace's name: the project's, so that one left by a killed run is known and dropped. */
export const SCRATCH_KEYSPACE = "chatbattle_migrate_check";

const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)`;
const SHAPING = new RegExp(
  String.raw`^(?:CREATE|ALTER)\s+(KEYSPACE|TABLE|COLUMNFAMILY|TYPE)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(${NAME})(?:\s*\.\s*(${NAME}))?`,
  "i",
);

/** Whether a rendered statement only shapes the scratch keyspace. */
export function shapesScratch(statement: string): boolean {
  const match = SHAPING.exec(statement.trim());
  if (!match) return false;
  const keyspace = match[1].toUpperCase() === "KEYSPACE" ? match[2] : match[3] !== undefined ? match[2] : undefined;
  return keyspace !== undefined && cqlName(keyspace) === SCRATCH_KEYSPACE;
}

/**
 * Runs cql/'s shaping statements into the scratch keyspace (dropping a
 * leftover one first), calls `inspect` on it, and drops it again whatever
 * happens. Returns what `inspect` returned.
 */
export async function inScratchKeyspace<T>(
  client: CqlSession,
  files: readonly CqlFile[],
  values: Omit<TemplateValues, "keyspace">,
  inspect: (keyspace: string) => Promise<T>,
): Promise<T> {
  const drop = () => client.execute(`DROP KEYSPACE IF EXISTS ${SCRATCH_KEYSPACE}`, [], { readTimeout: 60_000 });
  await drop();
  try {
    for (const file of files.map(parseCqlFile)) {
      for (const statement of file.statements) {
        const text = renderCql(statement.text, { ...values, keyspace: SCRATCH_KEYSPACE }, `cql/${file.name}`);
        if (shapesScratch(text)) await client.execute(text, [], { readTimeout: 60_000 });
      }
    }
    return await inspect(SCRATCH_KEYSPACE);
  } finally {
    await drop();
  }
}
