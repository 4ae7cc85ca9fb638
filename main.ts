import { parseConfig, ConfigError } from "./lib/config/config";
import { synthesizeApp } from "./lib/app";
import { loadDotEnv } from "./lib/load-env";
import { PROJECT_ROOT } from "./lib/project-root";

// Plain `npx cdktf` runs Terraform itself, outside this process: it needs .offline/env sourced in the shell, so the synthesis does not load it either.
loadDotEnv(".env", { offline: false });

try {
  synthesizeApp(parseConfig(process.env), PROJECT_ROOT);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // Settings are all read before any stack is synthesized: cdktf.out is left exactly as it was.
  console.error(error.message);
  process.exit(error.exitCode);
}
