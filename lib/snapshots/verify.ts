/**
 * A snapshot made sure of before anything it replaces is removed: every file
 * and the folder synced to disk, then read back, each file against the
 * checksum and the count the manifest records.
 */
import { join } from "node:path";
import { MANIFEST_FILE, type Manifest } from "./format";
import { countLines, sha256OfFile, syncToDisk } from "./jsonl-files";

/** What does not match; empty when the snapshot is on disk, whole. */
export async function verifySnapshot(folder: string, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  const entries = [
    ...manifest.topics.map((t) => ({ file: t.file, sha256: t.sha256, lines: t.records.reduce((a, b) => a + b, 0) })),
    ...manifest.tables.map((t) => ({ file: t.file, sha256: t.sha256, lines: t.rows })),
  ];
  for (const entry of entries) {
    const path = join(folder, entry.file);
    try {
      syncToDisk(path);
      if ((await sha256OfFile(path)) !== entry.sha256) problems.push(`${entry.file} does not match its checksum`);
      else if ((await countLines(path)) !== entry.lines)
        problems.push(`${entry.file} holds another number of lines than the manifest's ${entry.lines}`);
    } catch (error) {
      problems.push(`${entry.file} cannot be read back (${error instanceof Error ? error.message : error})`);
    }
  }
  for (const path of [
    join(folder, MANIFEST_FILE),
    join(folder, "kafka"),
    join(folder, "cassandra"),
    folder,
    join(folder, ".."),
  ]) {
    try {
      syncToDisk(path);
    } catch (error) {
      problems.push(`${path} cannot be synced to disk (${error instanceof Error ? error.message : error})`);
    }
  }
  return problems;
}
