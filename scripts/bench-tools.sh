#!/usr/bin/env bash
# The generic tools npm run bench:snapshots times beside the app's snapshots:
# kcat from the Debian package, and cqlsh from PyPI in a virtual environment
# kept in $CHATBATTLE_CACHE (outside the project). Prints the cqlsh to use;
# installs only what is missing.
set -euo pipefail
cache=${CHATBATTLE_CACHE:-$HOME/.cache/chatbattle}
# The cqlsh of Cassandra 5.0, which speaks to 4.1 and 5.0 alike.
cqlsh_version=6.2.2

if ! command -v kcat >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "bench tools: kcat is missing; install it with: sudo apt-get install -y kcat" >&2
    exit 1
  fi
  echo "bench tools: installing kcat (Debian package)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null
fi

venv="$cache/bench-cqlsh-$cqlsh_version"
if [ ! -e "$venv/.complete" ]; then
  echo "bench tools: installing cqlsh $cqlsh_version (PyPI) into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --only-binary=:all: "cqlsh==$cqlsh_version" >&2
  touch "$venv/.complete"
fi
echo "$venv/bin/cqlsh"
