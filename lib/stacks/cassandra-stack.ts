import type { Construct } from "constructs";
import { DockerStack } from "./docker-stack";
import { CONTAINER_NAMES, NETWORK_NAME, STACK_NAMES, VOLUME_NAMES } from "../names";
import { CassandraNode } from "../constructs/cassandra-node";
import type { ChatBattleConfig } from "../config/config";

/** The Cassandra node; independent of Kafka, so both come up in parallel. */
export class CassandraStack extends DockerStack {
  public readonly cassandraNode: CassandraNode;

  constructor(scope: Construct, config: ChatBattleConfig) {
    super(scope, STACK_NAMES.cassandra);
    this.cassandraNode = new CassandraNode(this, "cassandra", {
      containerName: CONTAINER_NAMES.cassandra,
      image: config.images.cassandra,
      networkName: NETWORK_NAME,
      bindAddress: config.bindAddress,
      clientHost: config.clientHost,
      hostPorts: {
        cql: config.ports.cassandraCql,
        internode: config.ports.cassandraInternode,
        internodeTls: config.ports.cassandraInternodeTls,
      },
      datacenter: config.cassandra.datacenter,
      dataVolumeName: VOLUME_NAMES.cassandraData,
    });
  }
}
