import { parseConfig, ConfigError } from "./lib/config/config";
import { synthesizeApp } from "./lib/app";
import { loadDotEnv } from "./lib/load-env";
import { PROJECT_ROOT } from "./lib/project-root";

loadDotEnv();

try {
  synthesizeApp(parseConfig(process.env), PROJECT_ROOT);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // Settings are all read before any stack is synthesized: cdktf.out is left exactly as it was.
  console.error(error.message);
  process.exit(error.exitCode);
}
