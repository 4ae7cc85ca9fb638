/**
 * What the app's CQL code needs of the driver beyond a session's execute:
 * a consistency, 64-bit write times, and many statements at once. Kept
 * here so that only lib/adapters/cassandra/ imports cassandra-driver.
 */
import cassandra from "cassandra-driver";
import { Readable } from "node:stream";
import type { CassandraClient } from "./connect";

/** A row as the driver returns it. */
export type CqlRow = cassandra.types.Row;

/** Execute options for reads and writes that must see what a majority of the local datacenter holds. */
export const LOCAL_QUORUM = { consistency: cassandra.types.consistencies.localQuorum } as const;

/** A write time (microseconds since the epoch) as a CQL bigint: more than a JavaScript number holds exactly. */
export function microseconds(value: string | number): unknown {
  return typeof value === "string" ? cassandra.types.Long.fromString(value) : cassandra.types.Long.fromNumber(value);
}

/**
 * Runs `statement` once per parameter list, `concurrency` at a time, read
 * from `parameters` as they are needed; the first failure ends it.
 */
export async function executeConcurrently(
  client: CassandraClient,
  statement: string,
  parameters: AsyncIterable<unknown[]>,
  concurrency: number,
): Promise<void> {
  await cassandra.concurrent.executeConcurrent(client, statement, Readable.from(parameters), {
    concurrencyLevel: concurrency,
    raiseOnFirstError: true,
  });
}
