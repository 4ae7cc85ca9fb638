import { LocalBackend, PgBackend, type PgBackendConfig, type TerraformStack } from "cdktf";
import type { StateBackend } from "../config/target";
import { STATE_DIR } from "../project-root";

/** PostgreSQL schema that holds one stack's state with the pg backend: one per stack, so stacks never share a state. */
export function pgSchemaName(stackName: string): string {
  return `chatbattle_${stackName}`;
}

/**
 * Where a stack's state lives.
 * - local: <project>/state/<stack>.tfstate. The path is relative to
 *   cdktf.out/stacks/<stack>/, where Terraform runs, so snapshots stay
 *   machine-independent and deleting cdktf.out never loses state.
 * - pg: Terraform's pg backend, one schema per stack, locked through
 *   PostgreSQL's advisory locks. The connection string is left out on
 *   purpose: it holds a password, and Terraform reads PG_CONN_STR from the
 *   environment itself, so it is never written to cdktf.out.
 */
export function useStateBackend(stack: TerraformStack, stackName: string, backend: StateBackend): void {
  if (backend === "pg") {
    // cdktf's type makes connStr required although Terraform does not.
    new PgBackend(stack, { schemaName: pgSchemaName(stackName) } as PgBackendConfig);
  } else {
    new LocalBackend(stack, { path: `../../../${STATE_DIR}/${stackName}.tfstate` });
  }
}
