#!/bin/bash
# Stand-in for the cassandra:4.1 and cassandra:5.0 images (docker-library), running
# Cassandra on Java 11: the same CASSANDRA_* variables, heap variables and data path,
# and JMX on 127.0.0.1:7199 for nodetool, as cassandra-env.sh starts it by default.
set -euo pipefail
fail() { echo "$*" >&2; exit 1; }

# cassandra-env.sh refuses one heap setting without the other.
if [ -n "${MAX_HEAP_SIZE-}" ] && [ -z "${HEAP_NEWSIZE-}" ] || [ -z "${MAX_HEAP_SIZE-}" ] && [ -n "${HEAP_NEWSIZE-}" ]; then
  fail "please set or unset MAX_HEAP_SIZE and HEAP_NEWSIZE in pairs (see cassandra-env.sh)"
fi

own_ip=$(hostname -i | awk '{print $1}')
listen=${CASSANDRA_LISTEN_ADDRESS:-auto}
[ "$listen" = auto ] && listen=$own_ip
broadcast=${CASSANDRA_BROADCAST_ADDRESS:-$listen}
[ "$broadcast" = auto ] && broadcast=$own_ip
rpc=${CASSANDRA_RPC_ADDRESS:-0.0.0.0}
broadcast_rpc=${CASSANDRA_BROADCAST_RPC_ADDRESS:-$broadcast}
seeds=${CASSANDRA_SEEDS:-$broadcast}
snitch=${CASSANDRA_ENDPOINT_SNITCH:-SimpleSnitch}

conf=/etc/cassandra
cat >"$conf/cassandra.yaml" <<YAML
cluster_name: '${CASSANDRA_CLUSTER_NAME:-Test Cluster}'
num_tokens: ${CASSANDRA_NUM_TOKENS:-16}
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
data_file_directories: [/var/lib/cassandra/data]
commitlog_directory: /var/lib/cassandra/commitlog
saved_caches_directory: /var/lib/cassandra/saved_caches
hints_directory: /var/lib/cassandra/hints
cdc_raw_directory: /var/lib/cassandra/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$seeds"
listen_address: $listen
broadcast_address: $broadcast
rpc_address: $rpc
broadcast_rpc_address: $broadcast_rpc
storage_port: 7000
ssl_storage_port: 7001
native_transport_port: 9042
endpoint_snitch: $snitch
start_native_transport: true
YAML
printf 'dc=%s\nrack=%s\n' "${CASSANDRA_DC:-dc1}" "${CASSANDRA_RACK:-rack1}" >"$conf/cassandra-rackdc.properties"

# With G1 (jvm11.options) cassandra-env.sh uses only the heap size; HEAP_NEWSIZE is checked, not applied.
heap=(-Xms1g -Xmx1g)
[ -n "${MAX_HEAP_SIZE-}" ] && heap=("-Xms$MAX_HEAP_SIZE" "-Xmx$MAX_HEAP_SIZE")
mapfile -t jvm < <(grep -v '^#' "$conf/jvm11.options" | grep . | tr ' ' '\n')
jamm=$(ls /opt/cassandra/lib/jamm-*.jar)

echo "===> starting Cassandra: listen $listen, rpc $rpc, seeds $seeds, snitch $snitch, dc ${CASSANDRA_DC:-dc1}"
# shellcheck disable=SC2086
exec java "${heap[@]}" "-javaagent:$jamm" "${jvm[@]}" ${JVM_EXTRA_OPTS:-} \
  -Dcassandra.config="file://$conf/cassandra.yaml" \
  -Dcassandra.logdir=/var/log/cassandra -Dcassandra.storagedir=/var/lib/cassandra \
  -Dcassandra.jmx.local.port=7199 \
  -Dlogback.configurationFile="$conf/logback.xml" -Dcassandra-foreground=yes \
  -XX:+ExitOnOutOfMemoryError \
  -cp "$conf:/opt/cassandra/lib/*" org.apache.cassandra.service.CassandraDaemon
