/**
 * npm run snapshot -- save NAME              saves every record of the declared topics (with the
 *                                            consumer groups' places) and every row of the keyspace
 * npm run snapshot -- restore NAME [--replace] [--allow-data-loss]
 *                                            puts them back into the running stack, whatever its
 *                                            Kafka mode, broker count or Cassandra version; records
 *                                            older than a topic's retention are refused (the broker
 *                                            would delete them) unless --allow-data-loss
 * npm run snapshot -- list                   the snapshots in SNAPSHOT_DIR
 * npm run snapshot -- delete NAME            deletes one; never the one an unfinished migrate needs
 *
 * Save, restore and delete hold the project's lock (no deploy, stop or reset meanwhile).
 * Exit codes: 0; 1 when the stack is not running, a check refuses or a step
 * fails; 2 on bad usage or settings; 130/143 after Ctrl-C/SIGTERM.
 */
import { join, resolve } from "node:path";
import type { ChatBattleConfig } from "../config/config";
import type { Interrupts } from "../process/interrupts";
import type { ServiceRuntime } from "../runtime/service-runtime";
import { defineCommand, type CommandContext } from "./support/define-command";
import { openStackData } from "./support/stack-data";
import { formatTable } from "../checks/table";
import { PROJECT_ROOT } from "../project-root";
import { CommandError, UsageError } from "../errors";
import { describeUnfinished, readUnfinishedMigration } from "./support/unfinished-migration";
import { checkName, deleteSnapshot, listSnapshots, readManifest, snapshotRoot } from "../snapshots/store";
import { saveSnapshot } from "../snapshots/save";
import { restoreSnapshot } from "../snapshots/restore";

const USAGE =
  "usage: npm run snapshot -- save NAME | restore NAME [--replace] [--allow-data-loss] | list | delete NAME";
const say = (line: string) => console.log(line);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The running stack's Kafka and Cassandra, as this command reaches them. */
interface Stack {
  readonly config: ChatBattleConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly runtime: ServiceRuntime;
}

async function save(
  { config, env, runtime }: Stack,
  root: string,
  name: string,
  interrupts: Interrupts,
): Promise<number> {
  const data = await openStackData(config, env, runtime, say);
  try {
    say(`snapshot: saving topics ${data.topics.join(", ")} and keyspace ${data.keyspace} into ${join(root, name)}`);
    const started = Date.now();
    const manifest = await saveSnapshot(data, root, name, { say, signal: interrupts.signal });
    const records = manifest.topics.reduce((sum, t) => sum + t.records.reduce((a, b) => a + b, 0), 0);
    const rows = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
    const bytes = [...manifest.topics, ...manifest.tables].reduce((sum, f) => sum + f.bytes, 0);
    say(
      `snapshot: saved ${name}: ${records.toLocaleString("en")} records, ${rows.toLocaleString("en")} rows, ${mb(bytes)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  } finally {
    await data.close();
  }
}

async function restore(
  { config, env, runtime }: Stack,
  root: string,
  name: string,
  flags: { replace: boolean; allowDataLoss: boolean },
  interrupts: Interrupts,
): Promise<number> {
  const manifest = readManifest(root, name);
  const data = await openStackData(config, env, runtime, say);
  try {
    say(
      `restore: ${name}, taken ${manifest.takenAt} on KAFKA_MODE=${manifest.settings.kafkaMode} with ${manifest.settings.kafkaBrokers} broker(s) and ${manifest.settings.cassandraImage}`,
    );
    const started = Date.now();
    const result = await restoreSnapshot(manifest, join(root, name), data, {
      replace: flags.replace,
      allowExpired: flags.allowDataLoss,
      say,
      signal: interrupts.signal,
    });
    say(
      `restore: done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.records.toLocaleString("en")} records and ${result.rows.toLocaleString("en")} rows, ` +
        `every count as the manifest says${result.expired > 0 ? `; ${result.expired} row(s) had expired since the save` : ""}`,
    );
    return 0;
  } finally {
    await data.close();
  }
}

function list(root: string): number {
  const found = listSnapshots(root);
  if (found.length === 0) {
    say(`snapshot: none in ${root}`);
    return 0;
  }
  say(
    formatTable(
      ["NAME", "TAKEN", "KAFKA", "RECORDS", "ROWS", "SIZE"],
      found.map((s) =>
        s.problem
          ? [s.name, "-", "-", "-", "-", `${mb(s.bytes)} (unreadable: ${s.problem})`]
          : [s.name, s.takenAt!, s.kafka!, s.records!.toLocaleString("en"), s.rows!.toLocaleString("en"), mb(s.bytes)],
      ),
    ),
  );
  return 0;
}

const ARGUMENTS = {
  allowPositionals: true,
  options: { replace: { type: "boolean", default: false }, "allow-data-loss": { type: "boolean", default: false } },
} as const;

async function main(context: CommandContext<typeof ARGUMENTS>): Promise<number> {
  const { args, config, lock, interrupts } = context;
  const [command, name] = args.positionals;
  const root = snapshotRoot(config.snapshotDir, PROJECT_ROOT);
  if (command === "list") return list(root);
  const checked = checkName(name);
  lock(`npm run snapshot -- ${command}`);
  if (command === "delete") {
    const unfinished = readUnfinishedMigration(PROJECT_ROOT);
    if (unfinished && resolve(unfinished.folder) === resolve(join(root, checked))) {
      throw new CommandError(
        `snapshot ${checked} is what an unfinished move restores next (${describeUnfinished(unfinished)}). Nothing was deleted. ` +
          "Carry the move on first (npm run migrate), or abandon it (npm run reset keeps the snapshot), then delete it.",
      );
    }
    const [found] = listSnapshots(root).filter((s) => s.name === checked);
    deleteSnapshot(root, checked);
    say(
      `snapshot: deleted ${checked}${found?.records !== undefined ? ` (${found.records.toLocaleString("en")} records, ${found.rows!.toLocaleString("en")} rows, ${mb(found.bytes)})` : ""}`,
    );
    return 0;
  }
  return command === "save"
    ? save(context, root, checked, interrupts())
    : restore(
        context,
        root,
        checked,
        { replace: args.values.replace!, allowDataLoss: args.values["allow-data-loss"]! },
        interrupts(),
      );
}

await defineCommand({
  name: "snapshot",
  usage: USAGE,
  arguments: ARGUMENTS,
  checkArguments: ({ values, positionals: [command, name, ...rest] }) => {
    const needsName = command === "save" || command === "restore" || command === "delete";
    const restoreFlags = values.replace || values["allow-data-loss"];
    if (
      !["save", "restore", "list", "delete"].includes(command ?? "") ||
      rest.length > 0 ||
      (needsName ? !name : name) ||
      (restoreFlags && command !== "restore")
    )
      throw new UsageError(USAGE);
  },
  localOnly: true,
  run: main,
});
