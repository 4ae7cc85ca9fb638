#!/bin/bash
# Stand-in for confluentinc/cp-zookeeper 7.9: the same required variable, the
# ZOOKEEPER_* settings the app may use, data paths and four-letter words.
set -euo pipefail
fail() { echo "$*" >&2; exit 1; }

[ -n "${ZOOKEEPER_CLIENT_PORT-}${ZOOKEEPER_SECURE_CLIENT_PORT-}" ] \
  || fail "One of ZOOKEEPER_CLIENT_PORT ZOOKEEPER_SECURE_CLIENT_PORT is required."

properties=/etc/kafka/zookeeper.properties
{
  echo "dataDir=/var/lib/zookeeper/data"
  echo "dataLogDir=/var/lib/zookeeper/log"
} >"$properties"
# The subset of cp-zookeeper's variable -> property table a single node uses.
declare -A mapping=(
  [ZOOKEEPER_CLIENT_PORT]=clientPort [ZOOKEEPER_SECURE_CLIENT_PORT]=secureClientPort
  [ZOOKEEPER_TICK_TIME]=tickTime [ZOOKEEPER_MAX_CLIENT_CNXNS]=maxClientCnxns
  [ZOOKEEPER_CLIENT_PORT_ADDRESS]=clientPortAddress [ZOOKEEPER_MIN_SESSION_TIMEOUT]=minSessionTimeout
  [ZOOKEEPER_MAX_SESSION_TIMEOUT]=maxSessionTimeout [ZOOKEEPER_INIT_LIMIT]=initLimit
  [ZOOKEEPER_SYNC_LIMIT]=syncLimit [ZOOKEEPER_AUTOPURGE_SNAP_RETAIN_COUNT]=autopurge.snapRetainCount
  [ZOOKEEPER_AUTOPURGE_PURGE_INTERVAL]=autopurge.purgeInterval [ZOOKEEPER_ADMIN_ENABLE_SERVER]=admin.enableServer
)
for name in $(compgen -e | grep '^ZOOKEEPER_' | sort); do
  if [ -n "${mapping[$name]-}" ]; then
    printf '%s=%s\n' "${mapping[$name]}" "${!name}" >>"$properties"
  else
    echo "warning: $name is not supported by this stand-in image and is ignored" >&2
  fi
done

echo "===> starting ZooKeeper with $properties:"
cat "$properties"
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}
LOG4J_CONFIG_FILE=/etc/kafka/log4j.properties exec run-class org.apache.zookeeper.server.quorum.QuorumPeerMain "$properties"
