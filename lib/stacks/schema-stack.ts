import { DataResource, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { STACK_NAMES } from "../names";
import { checksumOfAll, type CqlFile } from "../schema/cql-files";

export interface SchemaStackProps {
  /** The files in cql/, in order. */
  readonly cqlFiles: readonly CqlFile[];
  /**
   * Id of the Cassandra container, when the app runs it: a new container gets
   * the schema applied again. Undefined for an existing cluster.
   */
  readonly cassandraContainerId?: string;
  /**
   * The applier's settings (CASSANDRA_CONTACT_POINTS, …) for this stack's
   * Cassandra, as its construct states them; a change re-runs the step.
   * Never a password: credentials come from the caller's environment.
   */
  readonly applierSettings: Readonly<Record<string, string>>;
}

/**
 * Applies cql/ with the project's schema applier once Cassandra is healthy.
 * The applier records what it applied, so a re-run only applies new files.
 * The step is Terraform's built-in terraform_data resource (null_resource's
 * successor): the same lifecycle and provisioners, and no provider to install.
 */
export class SchemaStack extends TerraformStack {
  constructor(scope: Construct, props: SchemaStackProps) {
    super(scope, STACK_NAMES.schema);
    new DataResource(this, "apply-cql", {
      triggersReplace: {
        cql_checksum: checksumOfAll(props.cqlFiles),
        ...(props.cassandraContainerId === undefined ? {} : { cassandra_container_id: props.cassandraContainerId }),
        ...props.applierSettings,
      },
      provisioners: [
        {
          type: "local-exec",
          // Terraform runs in cdktf.out/stacks/schema; the applier lives in the project root.
          workingDir: "../../..",
          // As npm run schema:apply runs it, without npm's own start-up.
          command: "node scripts/command.mjs schema apply",
          environment: { ...props.applierSettings },
        },
      ],
    });
  }
}
