#!/usr/bin/env bash
# Builds local stand-ins for the images the app deploys, for machines that
# cannot pull confluentinc/* or cassandra:*: real ZooKeeper 3.8, Kafka 3.9 (both
# modes, as cp-kafka 7.9) and Kafka 4.3 (KRaft, as cp-kafka 8.3) on Java 17, and
# Cassandra 4.1 and 5.0 on Java 11, from Debian, Maven Central and PyPI packages; and
# Kafka 3.9.1, a patch release behind, to upgrade from. Each image is tagged with a
# hash of its inputs and built only when an input changed. Appends ZOOKEEPER_IMAGE,
# KAFKA_IMAGE, KAFKA_KRAFT_IMAGE and CASSANDRA_IMAGE (the defaults' stand-ins) and
# CASSANDRA_5_IMAGE and KAFKA_OLDER_PATCH_IMAGE (the upgrades' other ends) to .offline/env.
# Needs root (debootstrap) and Docker.
set -euo pipefail

project_root=$(cd "$(dirname "$0")/.." && pwd)
images="$project_root/images"
cache=${CHATBATTLE_CACHE:-$HOME/.cache/chatbattle}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

log() { printf 'offline-images: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
hash_of() { cat "$@" | sha256sum | cut -c1-12; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

docker info >/dev/null 2>&1 || die "Docker is not reachable; start it (dockerd) and run again."
mkdir -p "$cache"

# 1. Bases: minimal Debian systems imported as images, one per folder of
#    images/base/ (named after the Debian suite, listing its packages):
#    bookworm with Java 17 for ZooKeeper and Kafka, bullseye with Java 11 for
#    Cassandra 4.1, which does not run on Java 17.
base_image() { # $1 suite -> prints the image tag
  local suite=$1 packages="$images/base/$1/packages.txt"
  local tag="chatbattle-standin/base:$(printf '%s\n' "$suite" | cat - "$packages" | sha256sum | cut -c1-12)"
  if have_image "$tag"; then
    log "$tag ($suite): cached"
  else
    command -v debootstrap >/dev/null || { log "installing debootstrap"; apt-get install -y -qq debootstrap >/dev/null; }
    local rootfs
    rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
    log "$tag: debootstrap $suite"
    debootstrap --variant=minbase --include="$(paste -sd, "$packages")" "$suite" "$rootfs" "$mirror" >"$cache/debootstrap-$suite.log" 2>&1 \
      || { rm -rf "$rootfs"; die "debootstrap $suite failed; see $cache/debootstrap-$suite.log"; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import - "$tag" >/dev/null
    rm -rf "$rootfs"
  fi
  echo "$tag"
}
java17_base=$(base_image bookworm)
java11_base=$(base_image bullseye)

# 2. Jars from Maven Central, cached by the hash of their pom.
jars_for() { # $1 pom -> prints the jar folder
  local dir="$cache/jars-$(hash_of "$1")"
  if [ ! -e "$dir/.complete" ]; then
    rm -rf "$dir.partial"
    mvn -q -B -f "$1" dependency:copy-dependencies -DoutputDirectory="$dir.partial" >&2 || die "Maven could not resolve $1"
    touch "$dir.partial/.complete" && rm -rf "$dir" && mv "$dir.partial" "$dir"
  fi
  echo "$dir"
}
kafka_jars=$(jars_for "$images/kafka/pom.xml")
kafka4_jars=$(jars_for "$images/kafka-4/pom.xml")
kafka_older_patch_jars=$(jars_for "$images/kafka-3.9.1/pom.xml")
cassandra_jars=$(jars_for "$images/cassandra/pom.xml")
cassandra5_jars=$(jars_for "$images/cassandra-5/pom.xml")
# The release in a Cassandra jar folder, for the image's CASSANDRA_VERSION.
cassandra_version() { ls "$1" | sed -n 's/^cassandra-all-\(.*\)\.jar$/\1/p'; }

# 3. cqlsh and its dependencies from PyPI, for bullseye's Python 3.9.
wheels="$cache/wheels-$(hash_of "$images/cassandra/cqlsh-requirements.txt")"
if [ ! -e "$wheels/.complete" ]; then
  rm -rf "$wheels.partial"
  python3 -m pip download -q -r "$images/cassandra/cqlsh-requirements.txt" -d "$wheels.partial" \
    --python-version 3.9 --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --only-binary=:all: \
    || die "pip could not download cqlsh"
  touch "$wheels.partial/.complete" && rm -rf "$wheels" && mv "$wheels.partial" "$wheels"
fi

# 4. The images. A tag's hash covers the base, the image's own files, its jars and its build arguments.
build() { # $1 name, $2 Dockerfile's folder, $3 base image, $4 jar folder, $5... extra context folders as
          # name=path, or build arguments as --build-arg=NAME=value (LINE defaults to the name)
  local name=$1 dockerfile=$2 base=$3 jars=$4; shift 4
  local folders=() args=() line=$name
  for extra in "$@"; do
    case $extra in
      --build-arg=LINE=*) line=${extra#--build-arg=LINE=} ;;
      --build-arg=*) args+=(--build-arg "${extra#--build-arg=}") ;;
      *) folders+=("$extra") ;;
    esac
  done
  [ "$dockerfile" = "$line" ] || args+=(--build-arg "LINE=$line")
  local inputs
  inputs=$( (echo "$base" "${args[@]}"; ls "$jars"; cd "$images" && find run-class kafka "$dockerfile" "$name" -type f 2>/dev/null | sort -u | xargs sha256sum; for extra in "${folders[@]}"; do ls "${extra#*=}"; done) | sha256sum | cut -c1-12)
  local tag="chatbattle-standin/$name:$inputs"
  if have_image "$tag"; then
    log "$tag: cached"
  else
    log "$tag: building"
    local context
    context=$(mktemp -d)
    cp -r "$images"/. "$context"/
    cp -r "$jars" "$context/lib"
    for extra in "${folders[@]}"; do cp -r "${extra#*=}" "$context/${extra%%=*}"; done
    docker build -q --build-arg "BASE=$base" "${args[@]}" -t "$tag" -f "$context/$dockerfile/Dockerfile" "$context" >/dev/null \
      || { rm -rf "$context"; die "docker build of $name failed"; }
    rm -rf "$context"
  fi
  echo "$tag"
}
zookeeper_image=$(build zookeeper zookeeper "$java17_base" "$kafka_jars")
kafka_image=$(build kafka kafka "$java17_base" "$kafka_jars")
kafka4_image=$(build kafka-4 kafka "$java17_base" "$kafka4_jars")
kafka_older_patch_image=$(build kafka-3.9.1 kafka "$java17_base" "$kafka_older_patch_jars" --build-arg=LINE=kafka)
cassandra_image=$(build cassandra cassandra "$java11_base" "$cassandra_jars" "wheels=$wheels" "--build-arg=CASSANDRA_VERSION=$(cassandra_version "$cassandra_jars")")
cassandra5_image=$(build cassandra-5 cassandra "$java11_base" "$cassandra5_jars" "wheels=$wheels" "--build-arg=CASSANDRA_VERSION=$(cassandra_version "$cassandra5_jars")")

mkdir -p "$project_root/.offline"
touch "$project_root/.offline/env"
sed -i '/^\(ZOOKEEPER\|KAFKA\|KAFKA_KRAFT\|CASSANDRA\|CASSANDRA_5\|KAFKA_OLDER_PATCH\)_IMAGE=/d' "$project_root/.offline/env"
{
  echo "ZOOKEEPER_IMAGE=$zookeeper_image"
  echo "KAFKA_IMAGE=$kafka_image"
  echo "KAFKA_KRAFT_IMAGE=$kafka4_image"
  echo "CASSANDRA_IMAGE=$cassandra_image"
  echo "CASSANDRA_5_IMAGE=$cassandra5_image"
  echo "KAFKA_OLDER_PATCH_IMAGE=$kafka_older_patch_image"
} >>"$project_root/.offline/env"
log "images: $zookeeper_image $kafka_image $kafka4_image $cassandra_image $cassandra5_image $kafka_older_patch_image (written to .offline/env)"
