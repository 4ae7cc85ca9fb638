/**
 * What the app asks of a connection to Cassandra, and nothing more: a
 * statement, many statements at once, whether the nodes agree on the
 * schema, and the end. The schema applier, the gate's counts and the
 * snapshots speak to this, so a unit test can give them a session of its
 * own; only this folder knows the driver behind it.
 */
import cassandra from "cassandra-driver";
import { Readable } from "node:stream";

/** A row as the driver returns it: columns by name, or all values in order. */
export type CqlRow = cassandra.types.Row;

/** A statement's answer: its rows (one page of them), and where the next page starts. */
export interface CqlResult {
  readonly rows: CqlRow[];
  readonly rowLength: number;
  /** Undefined or null once there is no next page. */
  readonly pageState?: string | null;
  first(): CqlRow | null;
}

/** prepare, fetchSize, pageState, consistency: the driver's per-statement options. */
export type CqlOptions = cassandra.QueryOptions;

export interface CqlSession {
  execute(query: string, params?: readonly unknown[], options?: CqlOptions): Promise<CqlResult>;
  /**
   * Runs `statement` once per parameter list, `concurrency` at a time, read
   * from `parameters` as they are needed; the first failure ends it.
   */
  executeConcurrently(statement: string, parameters: AsyncIterable<unknown[]>, concurrency: number): Promise<void>;
  /** Whether every node reports the same schema version now. */
  schemaAgreed(): Promise<boolean>;
  shutdown(): Promise<void>;
}

/** The session of a connected driver client. */
export function sessionOf(client: cassandra.Client): CqlSession {
  return {
    execute: (query, params, options) => client.execute(query, params ? [...params] : [], options),
    async executeConcurrently(statement, parameters, concurrency) {
      await cassandra.concurrent.executeConcurrent(client, statement, Readable.from(parameters), {
        concurrencyLevel: concurrency,
        raiseOnFirstError: true,
      });
    },
    // checkSchemaAgreement exists on the driver's Metadata but is missing from its typings.
    schemaAgreed: () =>
      (client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> }).checkSchemaAgreement(),
    shutdown: () => client.shutdown(),
  };
}
