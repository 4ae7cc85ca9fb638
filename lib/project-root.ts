import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The first folder up from this module that holds a package.json: lib/..
 * when run from source, and the same from a command compiled into
 * .cache/commands/ (scripts/command.mjs).
 */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** The project folder: where cql/, state/ and cdktf.out/ live, and commands run. */
export const PROJECT_ROOT = findProjectRoot();

/** Where the commands synthesize the stacks and Terraform runs them (cdktf's own default). */
export const SYNTH_DIR = join(PROJECT_ROOT, "cdktf.out");

/** Folder, relative to the project root, that holds every stack's state with the local backend. */
export const STATE_DIR = "state";
