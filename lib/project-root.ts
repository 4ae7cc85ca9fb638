import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project folder: where cql/, state/ and cdktf.out/ live, and commands run. */
export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Where the commands synthesize the stacks and Terraform runs them (cdktf's own default). */
export const SYNTH_DIR = join(PROJECT_ROOT, "cdktf.out");

/** Folder, relative to the project root, that holds every stack's state with the local backend. */
export const STATE_DIR = "state";
