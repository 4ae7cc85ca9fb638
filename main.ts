import { App } from "cdktf";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig, ConfigError } from "./lib/config/config";
import { buildStacks } from "./lib/app";
import { loadDotEnv } from "./lib/load-env";

const projectRoot = dirname(fileURLToPath(import.meta.url));

loadDotEnv();

let config;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // Exit before App is created: cdktf.out is left exactly as it was.
  console.error(error.message);
  process.exit(1);
}

const app = new App();
buildStacks(app, config, projectRoot);
app.synth();
