import type { Construct } from "constructs";
import { DockerStack } from "./docker-stack";
import { STACK_NAMES } from "../names";
import { CassandraNode } from "../constructs/cassandra-node";
import type { LocalTopology } from "../topology/local-topology";
import { serviceProps } from "./service-props";

export interface CassandraStackProps {
  /** What the local stack runs: the Cassandra node is read from it. */
  readonly topology: LocalTopology;
  /** Host address the published ports listen on. */
  readonly bindAddress: string;
}

/** The Cassandra node; independent of Kafka, so both come up in parallel. */
export class CassandraStack extends DockerStack {
  public readonly cassandraNode: CassandraNode;

  constructor(scope: Construct, props: CassandraStackProps) {
    super(scope, STACK_NAMES.cassandra);
    const node = props.topology.services.find((s) => s.name === "cassandra")!;
    this.cassandraNode = new CassandraNode(this, "cassandra", {
      ...serviceProps<"cql" | "internode" | "internodeTls">(props.topology, node, props.bindAddress),
      datacenter: props.topology.cassandra.datacenter,
      dataVolumeName: node.volumes[0].name,
    });
  }
}
