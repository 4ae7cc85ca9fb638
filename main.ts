import { App } from "cdktf";
import { parseConfig, ConfigError } from "./lib/config/config";
import { buildStacks } from "./lib/app";
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

const app = new App();
buildStacks(app, config, PROJECT_ROOT);
app.synth();
