import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const OFFLINE_ENV = join(fileURLToPath(new URL("..", import.meta.url)), ".offline", "env");

/**
 * The variables `.offline/env` sets (the Terraform mirror, the stand-in
 * images), read by sourcing it with bash as the README tells users to, so
 * that a line like PATH=…:$PATH means here what it means in their shell.
 * Empty when the offline set-up was not run.
 */
export function offlineEnvironment(): Record<string, string> {
  if (!existsSync(OFFLINE_ENV)) return {};
  const result = spawnSync("bash", ["-c", 'set -a; . "$1"; set +a; env -0', "offline-env", OFFLINE_ENV], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  if (result.status !== 0) throw new Error(`could not read ${OFFLINE_ENV}: ${result.stderr}`);
  const sourced = Object.fromEntries(
    result.stdout
      .split("\0")
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
  );
  // Only what the file sets, not bash's own variables.
  const names = new Set([...readFileSync(OFFLINE_ENV, "utf8").matchAll(/^([A-Za-z_]\w*)=/gm)].map((m) => m[1]));
  return Object.fromEntries(Object.entries(sourced).filter(([name]) => names.has(name)));
}
