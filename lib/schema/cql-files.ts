import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CommandError } from "../errors";

/** A schema file from cql/, in the order it is applied. */
export interface CqlFile {
  /** File name, e.g. 001_create_keyspace.cql; recorded as applied under this name. */
  readonly name: string;
  readonly path: string;
  /** Text as stored; placeholders are filled in only when it is applied. */
  readonly text: string;
  /** sha256 of the stored text, hex. An applied file whose checksum changes is refused. */
  readonly checksum: string;
}

/** NNN_description.cql: the number fixes the order; it never changes once applied. */
export const CQL_FILE_NAME = /^(\d{3,})_[a-z0-9_]+\.cql$/;

export class CqlFileError extends CommandError {
  override name = "CqlFileError";
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * The .cql files of `dir`, ordered by their number. Any other file name, or
 * two files with the same number, is an error: the order must be unambiguous.
 */
export function readCqlFiles(dir: string): CqlFile[] {
  const names = readdirSync(dir).filter((n) => !n.startsWith("."));
  const bad = names.filter((n) => !CQL_FILE_NAME.test(n));
  if (bad.length > 0) {
    throw new CqlFileError(
      `${dir}: ${bad.map((n) => `'${n}'`).join(", ")} ${bad.length === 1 ? "is" : "are"} not named NNN_description.cql ` +
        "(three or more digits, an underscore, lower-case letters, digits or underscores). Rename or remove them.",
    );
  }
  const byNumber = new Map<number, string>();
  for (const name of names) {
    const number = Number(CQL_FILE_NAME.exec(name)![1]);
    const other = byNumber.get(number);
    if (other) throw new CqlFileError(`${dir}: '${other}' and '${name}' have the same number; give each file its own.`);
    byNumber.set(number, name);
  }
  return [...byNumber.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, name]) => {
      const path = join(dir, name);
      const text = readFileSync(path, "utf8");
      return { name, path, text, checksum: sha256(text) };
    });
}

/** One checksum over every file name and text, for the deploy trigger. */
export function checksumOfAll(files: readonly CqlFile[]): string {
  return sha256(files.map((f) => `${f.name}\0${f.checksum}`).join("\n"));
}
