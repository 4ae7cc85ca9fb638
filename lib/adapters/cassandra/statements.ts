/**
 * What the app's CQL code needs of the driver's values: a consistency and
 * 64-bit write times. Kept here so that only lib/adapters/cassandra/
 * imports cassandra-driver.
 */
import cassandra from "cassandra-driver";

/** Execute options for reads and writes that must see what a majority of the local datacenter holds. */
export const LOCAL_QUORUM = { consistency: cassandra.types.consistencies.localQuorum } as const;

/** A write time (microseconds since the epoch) as a CQL bigint: more than a JavaScript number holds exactly. */
export function microseconds(value: string | number): unknown {
  return typeof value === "string" ? cassandra.types.Long.fromString(value) : cassandra.types.Long.fromNumber(value);
}
