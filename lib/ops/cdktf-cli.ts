import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { waitForStateLocks } from "./state-locks";

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
 * Flags every cdktf deploy and destroy of this app gets. On a stack's first
 * init cdktf runs `terraform providers lock`, which asks the providers' origin
 * registry whatever the CLI configuration says, and so fails where providers
 * come from a mirror ("Could not retrieve providers for locking"). There the
 * step is skipped and `terraform init` records the mirror's checksums in the
 * lock file instead; everywhere else cdktf's own locking runs as usual.
 */
export function providerLockFlags(env: Env): string[] {
  return installsProvidersFromMirror(env) ? ["--skip-provider-lock"] : [];
}

/**
 * Runs the project's cdktf CLI with the terminal attached and resolves its
 * exit code once Terraform has saved every state it locked. Ctrl-C reaches
 * cdktf from the terminal and cdktf passes it on to Terraform once, which
 * stops gracefully and saves its state; cdktf itself exits at once, so this
 * waits for Terraform rather than returning first.
 */
export async function runCdktf(projectRoot: string, args: readonly string[], env: Env): Promise<number> {
  const started = Date.now();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(join(projectRoot, "node_modules", ".bin", "cdktf"), [...args], {
      cwd: projectRoot,
      stdio: "inherit",
      env: { ...env },
    });
    const waitForChild = () => undefined;
    // A SIGTERM sent to this process alone is passed on; SIGINT comes from the terminal to both.
    const forwardTerm = () => child.kill("SIGTERM");
    process.on("SIGINT", waitForChild);
    process.on("SIGTERM", forwardTerm);
    child.once("error", reject);
    child.once("exit", (exitCode, signal) => {
      process.off("SIGINT", waitForChild);
      process.off("SIGTERM", forwardTerm);
      resolve(exitCode ?? (signal === "SIGINT" ? 130 : 1));
    });
  });
  const stillLocked = await waitForStateLocks(projectRoot, started, (line) => console.error(line));
  if (stillLocked.length > 0) {
    console.error(
      `Terraform still holds the state of ${stillLocked.join(", ")}. If no terraform process is running, ` +
        `the lock is stale: the next run takes it over.`,
    );
  }
  return code;
}
