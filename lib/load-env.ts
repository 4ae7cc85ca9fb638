import { existsSync, readFileSync } from "node:fs";
import { delimiter } from "node:path";
import { parseEnv } from "node:util";

/** What `npm run offline:toolchain` and `npm run offline:images` write: the mirror's Terraform settings, PATH and the stand-in images. */
export const OFFLINE_ENV = ".offline/env";

/** Set once .offline/env is loaded, so that the commands a command starts (the schema step) neither load nor announce it again. */
const LOADED_MARK = "CHATBATTLE_OFFLINE_ENV";

/**
 * Loads .env from the working directory if there is one, then .offline/env
 * (see {@link loadOfflineEnv}) unless `offline` is false. Variables already
 * set in the environment win over both, and .env over .offline/env.
 */
export function loadDotEnv(path = ".env", options: { offline?: boolean } = {}): void {
  if (existsSync(path)) process.loadEnvFile(path);
  if (options.offline ?? true) loadOfflineEnv();
}

/**
 * Loads the offline set-up's settings when they exist, as `set -a; .
 * .offline/env; set +a` would, and says so in one line (on stderr, out of the
 * way of anything a script reads). A variable that is already set keeps its
 * value; PATH gets the folders it lacks, in front. Returns whether it loaded.
 */
export function loadOfflineEnv(
  path = OFFLINE_ENV,
  env: NodeJS.ProcessEnv = process.env,
  say: (line: string) => void = (line) => console.error(line),
): boolean {
  if (env[LOADED_MARK] || !existsSync(path)) return false;
  const values = parseEnv(readFileSync(path, "utf8"));
  const yours: string[] = [];
  for (const [name, value = ""] of Object.entries(values)) {
    if (name === "PATH") {
      const current = (env.PATH ?? "").split(delimiter).filter(Boolean);
      const missing = value.split(delimiter).filter((dir) => dir && !current.includes(dir));
      env.PATH = [...missing, ...current].join(delimiter);
    } else if (env[name] === undefined) {
      env[name] = value;
    } else if (env[name] !== value) {
      yours.push(name);
    }
  }
  env[LOADED_MARK] = path;
  say(
    `using ${path} (the offline set-up: Terraform's provider mirror and the stand-in images); a variable you set wins${yours.length > 0 ? `: yours of ${yours.join(", ")}` : ""}`,
  );
  return true;
}
