import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/project-root";
import { SETTINGS } from "../lib/config/settings";
import { endLeftoverProcesses } from "./processes";

/** What a copy of the app needs to deploy: its code, schema, bindings and configuration. */
export const APP_ENTRIES: readonly string[] = [
  "main.ts",
  "lib",
  "scripts",
  "cql",
  ".gen",
  "cdktf.json",
  "package.json",
  "tsconfig.json",
];

/**
 * A throw-away copy of the project (node_modules linked, not copied), so a
 * test can change .env or cql/ and run the real npm scripts in it. Removing
 * it first ends, by pid, any process still working in it (a Terraform or a
 * provider plugin of a command a test killed), and says so: nothing a test
 * started outlives it.
 */
export function copyProject(
  entries: readonly string[],
  prefix = "chatbattle-project-",
): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of entries) cpSync(join(PROJECT_ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
  return {
    dir,
    remove: () => {
      const ended = endLeftoverProcesses(dir);
      if (ended.length > 0) console.warn(`ended processes left running in ${dir}:\n${ended.join("\n")}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SETTING_NAMES: ReadonlySet<string> = new Set(SETTINGS.map((s) => s.name));

/** This process's environment without any of the app's or the applier's settings. */
export function environmentWithoutSettings(): Record<string, string | undefined> {
  return Object.fromEntries(
    // Every setting of the table, and whatever else is named for a service (the offline set-up's extra images).
    Object.entries(process.env).filter(
      ([k]) => !SETTING_NAMES.has(k) && !/^(ZOOKEEPER|KAFKA|CASSANDRA|BIND|SCHEMA)_/.test(k),
    ),
  );
}
