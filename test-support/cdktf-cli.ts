import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

/** The Terraform CLI configuration file in effect: TF_CLI_CONFIG_FILE, else the user's default one. */
function cliConfigFile(env: Env): string {
  if (env.TF_CLI_CONFIG_FILE) return env.TF_CLI_CONFIG_FILE;
  return join(env.HOME ?? homedir(), env.TERRAFORM_BINARY_NAME === "tofu" ? ".tofurc" : ".terraformrc");
}

/**
 * Whether Terraform is configured to install providers from a filesystem or
 * network mirror (a provider_installation block naming one).
 */
export function installsProvidersFromMirror(env: Env): boolean {
  const file = cliConfigFile(env);
  if (!existsSync(file)) return false;
  const text = readFileSync(file, "utf8").replace(/#.*$/gm, "");
  return /provider_installation\s*\{/.test(text) && /\b(filesystem_mirror|network_mirror)\s*\{/.test(text);
}

/**
 * Flags a plain `cdktf deploy` or `cdktf destroy` of this app needs here. On a
 * stack's first init cdktf runs `terraform providers lock`, which asks the
 * providers' origin registry whatever the CLI configuration says, and so
 * fails where providers come from a mirror ("Could not retrieve providers for
 * locking"). There the step is skipped and `terraform init` records the
 * mirror's checksums in the lock file instead; everywhere else cdktf's own
 * locking runs as usual. (npm run deploy and stop run `terraform init`
 * themselves and have no such step.)
 */
export function providerLockFlags(env: Env): string[] {
  return installsProvidersFromMirror(env) ? ["--skip-provider-lock"] : [];
}
