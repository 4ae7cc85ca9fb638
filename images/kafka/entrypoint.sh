#!/bin/bash
# Stand-in for confluentinc/cp-kafka in ZooKeeper mode (7.9) and KRaft mode
# (KAFKA_PROCESS_ROLES set, as in 7.9 and 8.x; the Kafka 4 image's only mode): the
# same required variables, refusals, KAFKA_* -> server.properties rule, paths, storage formatting and tools.
set -euo pipefail
fail() { echo "$*" >&2; exit 1; }

# Kafka 4 (cp-kafka 8.x) has no ZooKeeper mode.
if [ -z "${KAFKA_PROCESS_ROLES-}" ] && compgen -G '/opt/kafka/lib/kafka_2.13-4.*' >/dev/null; then
  fail "KAFKA_PROCESS_ROLES is required: Kafka 4 runs in KRaft mode only."
fi
if [ -n "${KAFKA_PROCESS_ROLES-}" ]; then
  [ -n "${CLUSTER_ID-}" ] || fail "CLUSTER_ID is required."
  [ -n "${KAFKA_NODE_ID-}" ] || fail "KAFKA_NODE_ID is required."
  [ -n "${KAFKA_CONTROLLER_QUORUM_VOTERS-}" ] || fail "KAFKA_CONTROLLER_QUORUM_VOTERS is required."
  [ -z "${KAFKA_ZOOKEEPER_CONNECT-}" ] || fail "KAFKA_ZOOKEEPER_CONNECT must not be set in KRaft mode."
else
  [ -n "${KAFKA_ZOOKEEPER_CONNECT-}" ] || fail "KAFKA_ZOOKEEPER_CONNECT is required."
fi
[ -n "${KAFKA_ADVERTISED_LISTENERS-}" ] || fail "KAFKA_ADVERTISED_LISTENERS is required."
# Deprecated settings cp-kafka refuses to start with.
[ -z "${KAFKA_ADVERTISED_PORT-}" ] || fail "advertised.port is deprecated. Please use KAFKA_ADVERTISED_LISTENERS instead."
[ -z "${KAFKA_ADVERTISED_HOST-}" ] || fail "advertised.host is deprecated. Please use KAFKA_ADVERTISED_LISTENERS instead."
[ -z "${KAFKA_HOST-}" ] || fail "host is deprecated. Please use KAFKA_ADVERTISED_LISTENERS instead."
[ -z "${KAFKA_PORT-}" ] || fail "port is deprecated. Please use KAFKA_ADVERTISED_LISTENERS instead."

# Listen on every interface at the advertised ports unless told otherwise.
export KAFKA_LISTENERS=${KAFKA_LISTENERS:-$(sed -E 's#://[^:,]*:#://0.0.0.0:#g' <<<"$KAFKA_ADVERTISED_LISTENERS")}
export KAFKA_LOG_DIRS=${KAFKA_LOG_DIRS:-/var/lib/kafka/data}

# Every other KAFKA_* variable becomes a property: strip the prefix, lower-case,
# '_' -> '.', then '...' -> '-' and '..' -> '_' (so ___ is '-' and __ is '_').
excluded=" KAFKA_VERSION KAFKA_HEAP_OPTS KAFKA_LOG4J_OPTS KAFKA_OPTS KAFKA_JMX_OPTS KAFKA_JVM_PERFORMANCE_OPTS KAFKA_GC_LOG_OPTS KAFKA_LOG4J_ROOT_LOGLEVEL KAFKA_LOG4J_LOGGERS KAFKA_TOOLS_LOG4J_LOGLEVEL "
properties=/etc/kafka/kafka.properties
: >"$properties"
for name in $(compgen -e | grep '^KAFKA_' | sort); do
  [[ $excluded == *" $name "* ]] && continue
  property=$(tr '[:upper:]' '[:lower:]' <<<"${name#KAFKA_}" | sed 's/_/./g; s/\.\.\./-/g; s/\.\./_/g')
  printf '%s=%s\n' "$property" "${!name}" >>"$properties"
done

echo "===> starting Kafka with $properties:"
cat "$properties"
if [ -n "${KAFKA_PROCESS_ROLES-}" ]; then
  # Formats a new volume with the cluster id; one that has data is left exactly as it is.
  echo "===> formatting the storage unless it is formatted"
  KAFKA_HEAP_OPTS="-Xmx128m" run-class kafka.tools.StorageTool format --ignore-formatted -t "$CLUSTER_ID" -c "$properties"
fi
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms1g -Xmx1g}
LOG4J_CONFIG_FILE=/etc/kafka/log4j.properties exec run-class kafka.Kafka "$properties"
