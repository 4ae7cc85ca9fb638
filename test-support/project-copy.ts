import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/project-root";

/**
 * A throw-away copy of the project (node_modules linked, not copied), so a
 * test can change .env or cql/ and run the real npm scripts in it.
 */
export function copyProject(entries: readonly string[], prefix = "chatbattle-project-"): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of entries) cpSync(join(PROJECT_ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** This process's environment without any of the app's or the applier's settings. */
export function environmentWithoutSettings(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^((ZOOKEEPER|KAFKA|CASSANDRA|BIND|SCHEMA)_|(CHATBATTLE_TARGET|STATE_BACKEND|STATE_LOCK_TIMEOUT|PG_CONN_STR)$)/.test(k)),
  );
}
