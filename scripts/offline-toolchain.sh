#!/usr/bin/env bash
# Builds the Terraform providers this app uses from their Go modules into a
# Terraform filesystem mirror, so that `terraform init` works without the
# Terraform registry. Idempotent: builds are cached outside the clone, in
# $CHATBATTLE_CACHE (default ~/.cache/chatbattle), keyed by provider version.
#
# Usage: scripts/offline-toolchain.sh [kafka] [docker] [compose]   (default: kafka docker)
# compose: Docker Compose v2, for the benchmark's baseline only (npm run bench).
#
# Writes .offline/env (NAME=value lines) for `set -a; . .offline/env; set +a`.
set -euo pipefail

project_root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CHATBATTLE_CACHE:-$HOME/.cache/chatbattle}
mirror="$cache/terraform-mirror"
cli_config="$cache/terraform.rc"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

log() { printf 'offline-toolchain: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null || die "Go is not installed; it is needed to build the providers (apt-get install golang, or see https://go.dev/doc/install)."
command -v node >/dev/null || die "Node.js is not installed."

# Each provider version lives in one place: Mongey/kafka's in cdktf.json (it
# drives `cdktf get`); kreuzwerker/docker is the newest the Go module proxy
# serves, installed under the release named at the top of its CHANGELOG.md.
kafka_version=$(node -e '
  const spec = require(process.argv[1]).terraformProviders.find((p) => p.toLowerCase().startsWith("mongey/kafka"));
  console.log(spec.split("@")[1].replace(/^[=\s~>]+/, ""));' "$project_root/cdktf.json")

# A provider build: $1 name, $2 version, $3 command that builds into $4 (a path).
install_into_mirror() { # $1 namespace $2 type $3 version $4 built binary
  # OpenTofu reads a bare source like "mongey/kafka" as registry.opentofu.org/mongey/kafka,
  # Terraform as registry.terraform.io/mongey/kafka: serve both (two copies).
  local host
  for host in registry.terraform.io registry.opentofu.org; do
    local dir="$mirror/$host/$1/$2/$3/linux_amd64"
    mkdir -p "$dir"
    install -m 0755 "$4" "$dir/terraform-provider-$2_v$3.tmp"
    mv "$dir/terraform-provider-$2_v$3.tmp" "$dir/terraform-provider-$2_v$3"
  done
}

mirror_has() { # $1 namespace $2 type $3 version
  [ -x "$mirror/registry.terraform.io/$1/$2/$3/linux_amd64/terraform-provider-$2_v$3" ] &&
    [ -x "$mirror/registry.opentofu.org/$1/$2/$3/linux_amd64/terraform-provider-$2_v$3" ]
}

# Modules whose go.mod has replace directives (Mongey/kafka, OpenTofu) cannot be
# built with `go install`: download the module and build from a writable copy.
build_module_copy() { # $1 module $2 version $3 package dir inside it $4 output binary
  local module=$1 version=$2 package=$3 output=$4
  local src="$cache/src/$(basename "$module")-$version" dir
  dir=$(cd "$cache" && go mod download -json "$module@v$version" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = JSON.parse(s); if (j.Error) { console.error(j.Error); process.exit(1); } console.log(j.Dir); });') \
    || die "the Go module proxy did not serve $module@v$version"
  rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$dir" "$src" && chmod -R u+w "$src"
  (cd "$src" && go build -trimpath -o "$output" "./$package")
}

build_kafka() {
  local version=$1
  mirror_has mongey kafka "$version" && { log "kafka $version: cached"; return; }
  log "kafka $version: building from the Go module"
  build_module_copy github.com/Mongey/terraform-provider-kafka "$version" . "$cache/bin/terraform-provider-kafka_v$version"
  install_into_mirror mongey kafka "$version" "$cache/bin/terraform-provider-kafka_v$version"
}

# kreuzwerker/docker declares the module path
# github.com/terraform-providers/terraform-provider-docker and tags v4.x without
# a /v4 suffix, so the proxy serves no tagged version; it serves the newest
# commit (@latest) as a pseudo-version. A small wrapper module requires the
# declared path and replaces it with that commit.
build_docker() {
  local upstream=github.com/kreuzwerker/terraform-provider-docker
  local declared=github.com/terraform-providers/terraform-provider-docker
  local info pseudo dir version
  info=$(cd "$cache" && go mod download -json "$upstream@latest") \
    || die "the Go module proxy ($(go env GOPROXY)) did not serve $upstream@latest"
  read -r pseudo dir < <(node -e '
    const j = JSON.parse(process.argv[1]); if (j.Error) { console.error(j.Error); process.exit(1); }
    console.log(j.Version, j.Dir);' "$info") || die "could not read the module download of $upstream@latest"
  # The release this commit belongs to: the first "## [vX.Y.Z]" heading of its changelog.
  version=$(sed -n 's/^## \[v\([0-9][0-9.]*\)\].*/\1/p' "$dir/CHANGELOG.md" | head -n 1)
  [ -n "$version" ] || die "no release heading (## [vX.Y.Z]) found in $upstream@$pseudo's CHANGELOG.md"
  local stamp="$mirror/.docker-$version-source"
  if mirror_has kreuzwerker docker "$version" && [ "$(cat "$stamp" 2>/dev/null)" = "$pseudo" ]; then
    log "docker $version ($pseudo): cached"; return
  fi
  local wrapper="$cache/src/docker-wrapper"
  log "docker $version: building $upstream@$pseudo"
  rm -rf "$wrapper" && mkdir -p "$wrapper"
  cat >"$wrapper/go.mod" <<EOF
module chatbattle.local/provider-build/docker

go 1.24

tool $declared

require $declared v0.0.0-00010101000000-000000000000

replace $declared => $upstream $pseudo
EOF
  (cd "$wrapper" && go mod tidy >"$wrapper/tidy.log" 2>&1) \
    || die "the dependencies of $upstream@$pseudo could not be fetched:
$(tail -n 3 "$wrapper/tidy.log")"
  (cd "$wrapper" && go build -trimpath -o "$cache/bin/terraform-provider-docker_v$version" "$declared")
  install_into_mirror kreuzwerker docker "$version" "$cache/bin/terraform-provider-docker_v$version"
  echo "$pseudo" >"$stamp"
}

# Docker Compose v2, for npm run bench's baseline. Its go.mod has exclude
# directives, so it is built from a copy of the module like the Kafka provider.
compose_version=2.40.3
build_compose() {
  if [ -x "$cache/bin/docker-compose" ] && "$cache/bin/docker-compose" version 2>/dev/null | grep -q "v$compose_version"; then
    log "docker compose $compose_version: cached"; return
  fi
  log "docker compose $compose_version: building from the Go module (several minutes the first time)"
  local module=github.com/docker/compose/v2 dir src="$cache/src/compose-$compose_version"
  dir=$(cd "$cache" && go mod download -json "$module@v$compose_version" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = JSON.parse(s); if (j.Error) { console.error(j.Error); process.exit(1); } console.log(j.Dir); });') \
    || die "the Go module proxy did not serve $module@v$compose_version"
  rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$dir" "$src" && chmod -R u+w "$src"
  (cd "$src" && go build -trimpath -ldflags "-X $module/internal.Version=v$compose_version" -o "$cache/bin/docker-compose" ./cmd)
}

# A Terraform-compatible binary: terraform or tofu from PATH, else OpenTofu
# built from its Go module.
tofu_version=1.10.7
find_terraform() {
  if command -v terraform >/dev/null; then echo terraform
  elif command -v tofu >/dev/null; then echo tofu
  else
    if [ ! -x "$cache/bin/tofu-$tofu_version" ]; then
      log "neither terraform nor tofu is on PATH: building OpenTofu $tofu_version from its Go module"
      build_module_copy github.com/opentofu/opentofu "$tofu_version" cmd/tofu "$cache/bin/tofu-$tofu_version"
    fi
    ln -sf "tofu-$tofu_version" "$cache/bin/tofu"
    echo tofu
  fi
}

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(kafka docker)
mkdir -p "$cache/bin" "$mirror"
for provider in "${wanted[@]}"; do
  case $provider in
    kafka) build_kafka "$kafka_version" ;;
    docker) build_docker ;;
    compose) build_compose ;;
    *) die "unknown provider '$provider' (expected kafka, docker or compose)" ;;
  esac
done

cat >"$cli_config" <<EOF
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*", "registry.opentofu.org/*/*"]
  }
}
EOF

terraform_binary=$(find_terraform)
# Replace only the lines this script owns; others (the images) stay.
env_file="$project_root/.offline/env"
mkdir -p "$(dirname "$env_file")" && touch "$env_file"
sed -i '/^\(TF_CLI_CONFIG_FILE\|CHECKPOINT_DISABLE\|PATH\|TERRAFORM_BINARY_NAME\)=/d' "$env_file"
{
  echo "TF_CLI_CONFIG_FILE=$cli_config"
  echo "CHECKPOINT_DISABLE=1"
  echo "PATH=$cache/bin:$PATH"
  [ "$terraform_binary" = terraform ] || echo "TERRAFORM_BINARY_NAME=$terraform_binary"
} >>"$env_file"
log "mirror: $mirror"
log "wrote .offline/env: every npm run command loads it; for plain npx cdktf: set -a; . .offline/env; set +a"
