import type { CqlSession } from "../adapters/cassandra/connect";
import { LOCAL_QUORUM } from "../adapters/cassandra/statements";
import type { AppliedRecord } from "./plan";

/** Table, in the target keyspace, that records which cql/ files have run. */
export const RECORD_TABLE = "applied_cql_files";

/**
 * The record of applied files lives in the keyspace it describes, so that
 * deleting the keyspace (or the whole volume) forgets it too.
 */
export class AppliedFiles {
  private ensured = false;

  constructor(
    private readonly client: CqlSession,
    private readonly keyspace: string,
  ) {}

  async keyspaceExists(): Promise<boolean> {
    // At quorum: the record decides what runs next, so a multi-node cluster never answers from a
    // replica that missed a write.
    const rs = await this.client.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", [
      this.keyspace,
    ]);
    return rs.rowLength > 0;
  }

  private async tableExists(): Promise<boolean> {
    const rs = await this.client.execute(
      "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
      [this.keyspace, RECORD_TABLE],
    );
    return rs.rowLength > 0;
  }

  /** Every record; none while the keyspace or the table does not exist yet. */
  async read(): Promise<AppliedRecord[]> {
    if (!(await this.keyspaceExists()) || !(await this.tableExists())) return [];
    const rs = await this.client.execute(
      `SELECT file_name, checksum, statement_checksums, statements_applied, complete, applied_at FROM ${this.keyspace}.${RECORD_TABLE}`,
      [],
      LOCAL_QUORUM,
    );
    return rs.rows.map((row) => ({
      fileName: row.get("file_name"),
      checksum: row.get("checksum"),
      statementChecksums: row.get("statement_checksums") ?? [],
      statementsApplied: row.get("statements_applied"),
      complete: row.get("complete"),
      appliedAt: row.get("applied_at") ?? undefined,
    }));
  }

  /**
   * Creates the table if the keyspace exists. Returns false while it does
   * not (before the file that creates it has run).
   */
  async ensureTable(): Promise<boolean> {
    if (this.ensured) return true;
    if (!(await this.keyspaceExists())) return false;
    await this.client.execute(
      `CREATE TABLE IF NOT EXISTS ${this.keyspace}.${RECORD_TABLE} (
        file_name text PRIMARY KEY,
        checksum text,
        statement_checksums list<text>,
        statements_applied int,
        complete boolean,
        applied_at timestamp
      ) WITH comment = 'cql/ files applied by the ChatBattle schema applier'`,
    );
    this.ensured = true;
    return true;
  }

  async write(record: AppliedRecord): Promise<void> {
    await this.client.execute(
      `INSERT INTO ${this.keyspace}.${RECORD_TABLE} (file_name, checksum, statement_checksums, statements_applied, complete, applied_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [
        record.fileName,
        record.checksum,
        [...record.statementChecksums],
        record.statementsApplied,
        record.complete,
        new Date(),
      ],
      { prepare: true, ...LOCAL_QUORUM },
    );
  }
}
