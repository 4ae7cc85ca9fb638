import type { ChatBattleConfig } from "../config/config";
import { replicationSettings } from "../config/replication";
import { contactEndpoints, type CassandraConnection } from "../topology/connections";

/**
 * The settings as the applier reads them back from its environment, minus
 * the credentials: what the schema step on a cluster passes to the applier
 * and re-runs on when it changes. The user and password stay in the
 * environment of whoever runs the deploy, out of cdktf.out and the state.
 */
export function applierEnvironment(
  connection: CassandraConnection,
  cassandra: ChatBattleConfig["cassandra"],
): Record<string, string> {
  return {
    CASSANDRA_CONTACT_POINTS: contactEndpoints(connection).join(","),
    CASSANDRA_LOCAL_DATACENTER: connection.localDatacenter,
    CASSANDRA_KEYSPACE: cassandra.keyspace,
    ...replicationSettings(cassandra.replication),
    CASSANDRA_TLS: String(Boolean(connection.tls)),
    ...(connection.tls && connection.tls.caFile ? { CASSANDRA_TLS_CA_FILE: connection.tls.caFile } : {}),
  };
}
