/**
 * Gzipped JSON Lines, written and read as streams: memory stays the same
 * whatever the file's size. The writer counts and hashes the bytes it
 * writes; the checksum of a file is checked before a line of it is used.
 */
import { createHash } from "node:crypto";
import { closeSync, createReadStream, createWriteStream, fsyncSync, openSync } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { CommandError } from "../errors";

export interface JsonLinesWriter {
  /** Adds one line; resolves when the stream can take more (backpressure). */
  write(value: unknown): Promise<void>;
  /** Ends the file: its SHA-256 (of the gzip bytes) and size. */
  close(): Promise<{ sha256: string; bytes: number }>;
  /** Stops writing, leaving a partial file for the caller to remove. */
  abort(): void;
}

/** Characters of lines handed to gzip at once. */
const WRITE_CHUNK = 64 * 1024;

export function writeJsonLines(path: string): JsonLinesWriter {
  const hash = createHash("sha256");
  let bytes = 0;
  const gzip = createGzip({ level: 6 });
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  let failed: Error | undefined;
  const done = pipeline(gzip, tap, createWriteStream(path));
  // A failure shows at the next write or at close; this keeps it from being unhandled meanwhile.
  done.catch((error: unknown) => {
    failed = error instanceof Error ? error : new Error(String(error));
  });
  // Lines go to gzip some 64 KB at a time: a write per line costs more in the stream's
  // bookkeeping than compressing the line does.
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = async () => {
    const chunk = pending.join("");
    pending = [];
    pendingLength = 0;
    // once() rejects when the stream errors, so a failed file ends the wait too.
    if (!gzip.write(chunk)) await once(gzip, "drain");
  };
  return {
    async write(value) {
      if (failed) throw failed;
      const line = `${JSON.stringify(value)}\n`;
      pending.push(line);
      pendingLength += line.length;
      if (pendingLength >= WRITE_CHUNK) await flush();
    },
    async close() {
      if (failed) throw failed;
      if (pendingLength > 0) await flush();
      gzip.end();
      await done;
      return { sha256: hash.digest("hex"), bytes };
    },
    abort() {
      gzip.destroy();
    },
  };
}

/** The file's lines, parsed, one at a time. */
export async function* readJsonLines<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (line === "") continue;
    try {
      yield JSON.parse(line) as T;
    } catch {
      throw new CommandError(
        `${path}, line ${number}: not a JSON line: the snapshot is damaged (its checksums say which file changed)`,
      );
    }
  }
}

/** SHA-256 of a file's bytes, hex, read as a stream. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Lines in a gzipped JSON Lines file, counted as a stream. */
export async function countLines(path: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(path).pipe(createGunzip())) {
    for (const byte of chunk as Buffer) if (byte === 10) count += 1;
  }
  return count;
}

/** Makes sure a file (or folder: its entries) is on disk, not only in the page cache: a power cut after this keeps it. */
export function syncToDisk(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
