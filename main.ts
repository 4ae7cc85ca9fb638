import { parseConfig, ConfigError } from "./lib/config/config";
import { synthesizeApp } from "./lib/app";
import { loadDotEnv } from "./lib/load-env";
import { PROJECT_ROOT } from "./lib/project-root";

loadDotEnv();

let config;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // Exit before App is created: cdktf.out is left exactly as it was.
  console.error(error.message);
  process.exit(error.exitCode);
}

synthesizeApp(config, PROJECT_ROOT);
