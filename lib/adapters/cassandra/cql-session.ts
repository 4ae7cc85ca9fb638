/**
 * What the app asks of a connection to Cassandra, and nothing more: a
 * statement, many statements at once, whether the nodes agree on the
 * schema, and the end. The schema applier, the gate's counts and the
 * snapshots speak to this, so a unit test can give them a session of its
 * own; only this folder knows the driver behind it.
 */
import cassandra from "cassandra-driver";

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
   * Runs `statement` once per parameter list, the lists of one group sent as
   * one unlogged batch, `concurrency` groups in flight, read from `groups` as
   * they are needed; the first failure ends it. A group's statements should
   * write one partition: the node then applies the batch as one mutation,
   * which costs little more than a single write.
   */
  executeInGroups(statement: string, groups: AsyncIterable<unknown[][]>, concurrency: number): Promise<void>;
  /** Whether every node reports the same schema version now. */
  schemaAgreed(): Promise<boolean>;
  shutdown(): Promise<void>;
}

/** The session of a connected driver client. */
export function sessionOf(client: cassandra.Client): CqlSession {
  return {
    execute: (query, params, options) => client.execute(query, params ? [...params] : [], options),
    async executeInGroups(statement, groups, concurrency) {
      const next = groups[Symbol.asyncIterator]();
      let failure: { error: unknown } | undefined;
      // Each worker takes the next group as it finishes one (an async generator hands them out one at a time).
      const worker = async () => {
        while (!failure) {
          const group = await next.next();
          if (group.done) return;
          try {
            if (group.value.length === 1) await client.execute(statement, group.value[0], { prepare: true });
            else
              await client.batch(
                group.value.map((params) => ({ query: statement, params })),
                { prepare: true, logged: false },
              );
          } catch (error) {
            failure ??= { error };
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      if (failure) throw failure.error;
    },
    // checkSchemaAgreement exists on the driver's Metadata but is missing from its typings.
    schemaAgreed: () =>
      (client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> }).checkSchemaAgreement(),
    shutdown: () => client.shutdown(),
  };
}
