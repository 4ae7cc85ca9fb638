#!/usr/bin/env bash
# Regenerates the Mongey/kafka bindings in .gen/ with `cdktf get`, without the
# Terraform registry: the provider comes from the mirror that
# scripts/offline-toolchain.sh builds, and cdktf reads the provider schema from
# a schema cache instead of running its own `terraform init`.
set -euo pipefail

project_root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CHATBATTLE_CACHE:-$HOME/.cache/chatbattle}
cd "$project_root"

scripts/offline-toolchain.sh kafka
set -a; . .offline/env; set +a
terraform_binary=${TERRAFORM_BINARY_NAME:-terraform}

version=$(node -e '
  const spec = require("./cdktf.json").terraformProviders.find((p) => p.toLowerCase().startsWith("mongey/kafka"));
  console.log(spec.split("@")[1].replace(/^[=\s~>]+/, ""));')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/main.tf.json" <<JSON
{ "terraform": { "required_providers": { "kafka": { "source": "mongey/kafka", "version": "= $version" } } } }
JSON
(cd "$work" && "$terraform_binary" init -input=false -no-color >/dev/null)

schema_cache="$cache/provider-schemas"
mkdir -p "$schema_cache"
(cd "$work" && "$terraform_binary" providers schema -json) | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const schema = JSON.parse(s);
    schema.provider_versions = { "registry.terraform.io/mongey/kafka": process.argv[1] };
    process.stdout.write(JSON.stringify(schema));
  });' "$version" >"$schema_cache/mongey%2Fkafka@$version.json"

CDKTF_EXPERIMENTAL_PROVIDER_SCHEMA_CACHE_PATH="$schema_cache" npx cdktf get --force
echo "generate-kafka-bindings: .gen/providers/kafka regenerated from mongey/kafka $version"
