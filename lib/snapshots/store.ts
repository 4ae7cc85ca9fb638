/**
 * Where snapshots live (SNAPSHOT_DIR, `snapshots/` by default): one folder
 * per snapshot, named as the user named it. A save writes into a hidden
 * folder beside it and renames it only when complete, so a snapshot that
 * exists is whole.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { CommandError, UsageError } from "../errors";
import { MANIFEST_FILE, SNAPSHOT_FORMAT, SNAPSHOT_NAME, type Manifest } from "./format";

export function snapshotRoot(snapshotDir: string, projectRoot: string): string {
  return isAbsolute(snapshotDir) ? snapshotDir : join(projectRoot, snapshotDir);
}

export function checkName(name: string | undefined): string {
  if (!name || !SNAPSHOT_NAME.test(name)) {
    throw new UsageError(
      `snapshot name ${JSON.stringify(name ?? "")} is not allowed: use letters, digits, '.', '_' and '-' (up to 100, not starting with '.')`,
    );
  }
  return name;
}

/** The folder a save writes to before it is complete. */
export function partialFolder(root: string, name: string): string {
  return join(root, `.${name}.partial-${process.pid}`);
}

/** A snapshot's manifest, checked to be one this app wrote. */
export function readManifest(root: string, name: string): Manifest {
  const folder = join(root, name);
  const path = join(folder, MANIFEST_FILE);
  if (!existsSync(folder))
    throw new CommandError(`no snapshot named ${name} in ${root} (npm run snapshot -- list shows them)`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, "utf8")) as Manifest;
  } catch (error) {
    throw new CommandError(
      `${path} cannot be read (${error instanceof Error ? error.message : error}): the snapshot is incomplete or damaged, so nothing was restored`,
    );
  }
  if (manifest.format !== SNAPSHOT_FORMAT) {
    throw new CommandError(
      `${path} says format ${JSON.stringify(manifest.format)}; this app reads ${SNAPSHOT_FORMAT} only, so nothing was restored`,
    );
  }
  // The folder's name is the snapshot's: a copied or renamed folder is restored under its own name.
  return { ...manifest, name };
}

export interface ListedSnapshot {
  readonly name: string;
  readonly takenAt?: string;
  readonly records?: number;
  readonly rows?: number;
  readonly bytes: number;
  readonly kafka?: string;
  /** Why it cannot be read, when it cannot. */
  readonly problem?: string;
}

/** Every snapshot in the folder, oldest first; folders of unfinished saves are left out. */
export function listSnapshots(root: string): ListedSnapshot[] {
  if (!existsSync(root)) return [];
  const folderBytes = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (sum, e) => sum + (e.isDirectory() ? folderBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size),
      0,
    );
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => {
      const bytes = folderBytes(join(root, e.name));
      try {
        const m = readManifest(root, e.name);
        return {
          name: e.name,
          takenAt: m.takenAt,
          records: m.topics.reduce((sum, t) => sum + t.records.reduce((a, b) => a + b, 0), 0),
          rows: m.tables.reduce((sum, t) => sum + t.rows, 0),
          bytes,
          kafka: `${m.settings.kafkaMode} x${m.settings.kafkaBrokers}`,
        };
      } catch (error) {
        return { name: e.name, bytes, problem: error instanceof Error ? error.message : String(error) };
      }
    })
    .sort((a, b) => (a.takenAt ?? "").localeCompare(b.takenAt ?? "") || a.name.localeCompare(b.name));
}

export function deleteSnapshot(root: string, name: string): void {
  const folder = join(root, name);
  if (!existsSync(folder)) throw new CommandError(`no snapshot named ${name} in ${root}; nothing was deleted`);
  rmSync(folder, { recursive: true, force: true });
}
