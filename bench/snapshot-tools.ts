/**
 * The bench's yardstick for snapshots: the same data moved by the tools a
 * user would otherwise reach for, kcat for the topic (each record's key and
 * value, gzipped) and cqlsh COPY for the table (CSV), the two side by side
 * as the app moves Kafka and Cassandra. They keep less than a snapshot does
 * (no partitions, headers, timestamps, group positions, write times or
 * TTLs), so matching them is the least to ask. Set up by
 * scripts/bench-tools.sh (kcat from Debian, cqlsh from PyPI).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { CommandError } from "../lib/errors";
import { PROJECT_ROOT } from "../lib/project-root";
import { requireSuccess, startCommand } from "../test-support/command";

export const TOPIC = "twitch-chat-messages";
export const TABLE = "twitch_chat.raw_chat_messages";

/** Where the tools reach the stack. */
export interface ToolTarget {
  readonly broker: string;
  readonly cqlHost: string;
  readonly cqlPort: number;
}

/** Installs what is missing (scripts/bench-tools.sh) and returns the cqlsh to run. */
export function benchTools(): { readonly cqlsh: string } {
  const result = spawnSync("bash", [join(PROJECT_ROOT, "scripts", "bench-tools.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 600_000,
  });
  if (result.status !== 0)
    throw new CommandError("bench:snapshots: the tools to compare with could not be set up (see above)");
  return { cqlsh: result.stdout.trim() };
}

/**
 * Runs a bash pipeline (pipefail) to its end, in a process group of its own
 * under a deadline (the whole group, kcat and cqlsh included, is stopped at
 * it); its output, or an error with its last lines.
 */
async function pipeline(script: string, deadlineSeconds: number): Promise<string> {
  const command = ["bash", "-c", `set -o pipefail; ${script}`];
  return requireSuccess(
    command,
    await startCommand(command, { cwd: PROJECT_ROOT, env: process.env, deadlineSeconds }).done,
  ).output;
}

const quoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Seconds the two pipelines take side by side. */
async function sideBySide(
  scripts: readonly string[],
  deadlineSeconds: number,
): Promise<{ seconds: number; outputs: string[] }> {
  const started = process.hrtime.bigint();
  const outputs = await Promise.all(scripts.map((s) => pipeline(s, deadlineSeconds)));
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, outputs };
}

/** kcat -C … | gzip and cqlsh COPY … TO, side by side, into `folder`. */
export async function toolsSave(
  cqlsh: string,
  target: ToolTarget,
  folder: string,
  deadlineSeconds: number,
): Promise<number> {
  const { seconds } = await sideBySide(
    [
      `kcat -C -b ${target.broker} -t ${TOPIC} -o beginning -e -q -f '%k\\t%s\\n' | gzip > ${quoted(join(folder, "records.tsv.gz"))}`,
      `${quoted(cqlsh)} ${target.cqlHost} ${target.cqlPort} --request-timeout=120 -e ${quoted(`COPY ${TABLE} TO '${join(folder, "rows.csv")}'`)}`,
    ],
    deadlineSeconds,
  );
  return seconds;
}

/** gunzip | kcat -P and cqlsh COPY … FROM, side by side, from `folder`; the rows cqlsh says it imported. */
export async function toolsRestore(
  cqlsh: string,
  target: ToolTarget,
  folder: string,
  deadlineSeconds: number,
): Promise<{ seconds: number; rows: number }> {
  const { seconds, outputs } = await sideBySide(
    [
      `gunzip -c ${quoted(join(folder, "records.tsv.gz"))} | kcat -P -b ${target.broker} -t ${TOPIC} -K '\\t'`,
      `${quoted(cqlsh)} ${target.cqlHost} ${target.cqlPort} --request-timeout=120 -e ${quoted(`COPY ${TABLE} FROM '${join(folder, "rows.csv")}'`)}`,
    ],
    deadlineSeconds,
  );
  const imported = /(\d+) rows imported/.exec(outputs[1]);
  if (!imported)
    throw new CommandError(`bench:snapshots: cqlsh COPY FROM did not say how many rows it imported:\n${outputs[1]}`);
  return { seconds, rows: Number(imported[1]) };
}
