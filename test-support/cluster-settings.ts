/**
 * Settings of the cluster target as a team would write them: SASL_SSL Kafka,
 * Cassandra with a login and TLS, state in PostgreSQL. `caFile` must exist:
 * the settings are checked before anything is synthesized.
 */
export function clusterSettings(caFile: string): Record<string, string> {
  return {
    CHATBATTLE_TARGET: "cluster",
    STATE_BACKEND: "pg",
    PG_CONN_STR: "postgres://terraform:s3cret-pg@db.example.com/state",
    KAFKA_BOOTSTRAP_SERVERS: "kafka-1.example.com:9093,kafka-2.example.com:9093,kafka-3.example.com:9093",
    KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
    KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
    KAFKA_SASL_USERNAME: "pipeline",
    KAFKA_SASL_PASSWORD: "s3cret-kafka",
    KAFKA_CA_CERT: caFile,
    CASSANDRA_CONTACT_POINTS: "cassandra-1.example.com,cassandra-2.example.com:9142",
    CASSANDRA_LOCAL_DATACENTER: "eu-west",
    CASSANDRA_REPLICATION: "eu-west:3,us-east:3",
    CASSANDRA_USERNAME: "schema",
    CASSANDRA_PASSWORD: "s3cret-cassandra",
    CASSANDRA_TLS: "true",
    CASSANDRA_TLS_CA_FILE: caFile,
  };
}
