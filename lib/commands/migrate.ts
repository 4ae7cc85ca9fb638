/**
 * `npm run migrate [-- --kafka-mode zookeeper|kraft] [--brokers 1|3] [--allow-data-loss]`:
 * moves the running local stack from the Kafka mode and broker count its
 * volumes hold to those the options (or, without them, the settings) name,
 * and keeps its data.
 *
 * Before anything changes: the new stack's pre-flight (a port taken, an image
 * missing); that the snapshot will hold everything the old stack's volumes
 * hold (a topic that is not declared, or another keyspace, is refused,
 * named and counted, unless --allow-data-loss); that no consumer group runs;
 * that the new stack can take every table and topic back (see
 * support/move-checks.ts). Then four steps: save a snapshot (then synced and
 * read back, and refused if records arrived or rows were written meanwhile,
 * or if it holds records older than their topic's retention, which the
 * broker would delete after the restore, unless --allow-data-loss); remove
 * the old stack; deploy with the new settings (written to .env, so that
 * `npm run deploy` afterwards deploys the new stack); restore the snapshot.
 * The move is on record (unfinished-migration.ts) from just before the
 * removal: run again after a failure or a kill, it carries on where it
 * stopped, and its restore never deletes what the new stack holds. The
 * snapshot is kept afterwards (npm run snapshot -- delete NAME removes it).
 *
 * Exit codes: 0; 1 when a check refuses or a step fails; 2 on bad usage or
 * settings; 130/143 after Ctrl-C/SIGTERM.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseConfig, type ChatBattleConfig } from "../config/config";
import type { Interrupts } from "../process/interrupts";
import type { ServiceRuntime } from "../runtime/service-runtime";
import { defineCommand } from "./support/define-command";
import { openStackData } from "./support/stack-data";
import { projectRemoval } from "./support/project-removal";
import { deployStack } from "./support/deploy-stack";
import {
  clearUnfinishedMigration,
  describeUnfinished,
  MIGRATION_RECORD,
  readUnfinishedMigration,
  recordUnfinishedMigration,
  type UnfinishedMigration,
} from "./support/unfinished-migration";
import {
  arrivedSince,
  cassandraWrites,
  notInSnapshot,
  restoreProblems,
  runningConsumers,
  writtenSince,
} from "./support/move-checks";
import { verifySnapshot } from "../snapshots/verify";
import { expiredLines, expiredRecords } from "../snapshots/restore";
import { allowedMessage, refusalMessage } from "../gate/report";
import { deployedKafka, printPreflight, runPreflight } from "../checks/preflight";
import { PROJECT_ROOT } from "../project-root";
import { CommandError } from "../errors";
import { readManifest, snapshotRoot } from "../snapshots/store";
import { saveSnapshot } from "../snapshots/save";
import { restoreSnapshot } from "../snapshots/restore";

const USAGE =
  "usage: npm run migrate [-- --kafka-mode zookeeper|kraft] [--brokers 1|3] [--allow-data-loss]   (without options: to what the settings say)";
const say = (line: string) => console.log(line);
const describe = (config: ChatBattleConfig) => `KAFKA_MODE=${config.kafka.mode} with ${config.kafka.brokers} broker(s)`;
/** The two settings a move changes, as .env and the environment spell them. */
const kafkaSettings = (migration: Pick<UnfinishedMigration, "kafkaMode" | "kafkaBrokers">) => ({
  KAFKA_MODE: migration.kafkaMode,
  KAFKA_BROKERS: String(migration.kafkaBrokers),
});
const spelled = (settings: Readonly<Record<string, string>>) =>
  Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");

/** Sets these settings in the project's .env, in place where a line sets them, else at its end. */
function writeSettings(path: string, settings: Readonly<Record<string, string>>): void {
  let text = existsSync(path) ? readFileSync(path, "utf8") : "";
  for (const [name, value] of Object.entries(settings)) {
    const line = new RegExp(`^${name}=.*$`, "m");
    text = line.test(text)
      ? text.replace(line, `${name}=${value}`)
      : `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${name}=${value}\n`;
  }
  writeFileSync(path, text);
}

/** The settings of a move carried on: the record's; options that ask for another move are refused. */
function resumedTarget(
  migration: UnfinishedMigration,
  values: { "kafka-mode"?: string; brokers?: string; "allow-data-loss"?: boolean },
): ChatBattleConfig {
  const asked =
    (values["kafka-mode"] ?? migration.kafkaMode) !== migration.kafkaMode ||
    (values.brokers ?? String(migration.kafkaBrokers)) !== String(migration.kafkaBrokers);
  if (asked)
    throw new CommandError(
      `${describeUnfinished(migration)}. Finish that move first (npm run migrate with no options), then move again.`,
    );
  if (values["allow-data-loss"])
    throw new CommandError(
      `${describeUnfinished(migration)}, with the losses it was allowed when it started; --allow-data-loss allows nothing more. Run npm run migrate with no options.`,
    );
  return parseConfig({ ...process.env, ...kafkaSettings(migration) });
}

/**
 * The stack to move from, once it is known that there is one, that it runs,
 * that it is not already `to`, and that `to` would deploy here (its
 * pre-flight, before anything changes); undefined when there is nothing to
 * do (said). Throws when the move cannot start.
 */
async function movable(runtime: ServiceRuntime, to: ChatBattleConfig): Promise<ChatBattleConfig | undefined> {
  const found = await runtime.projectObjects();
  const deployed = deployedKafka(found.volumes);
  if (!deployed) {
    say(`migrate: no Kafka data on this engine to move; npm run deploy starts ${describe(to)} fresh.`);
    return undefined;
  }
  const from = parseConfig({ ...process.env, KAFKA_MODE: deployed.mode, KAFKA_BROKERS: String(deployed.brokers) });
  if (to.kafka.mode === from.kafka.mode && to.kafka.brokers === from.kafka.brokers) {
    say(
      `migrate: the stack already runs ${describe(from)}; nothing to do. (Pass --kafka-mode and --brokers to move it elsewhere.)`,
    );
    return undefined;
  }
  if (found.containers.length === 0) {
    throw new CommandError(
      `the stack is stopped, and its data is read from the running services. Start it as it was (KAFKA_MODE=${from.kafka.mode} KAFKA_BROKERS=${from.kafka.brokers} npm run deploy), then migrate.`,
    );
  }
  // The new stack's pre-flight, before the old one is touched: a port taken, too little memory or a
  // missing image stops the move here, with nothing changed. Its Kafka data row is the move itself.
  say(
    `migrate: from ${describe(from)} to ${describe(to)}, keeping every record, consumer group offset and row the stack holds`,
  );
  say(`migrate: first, that ${describe(to)} can be deployed here, before anything changes`);
  const checks = (await runPreflight(to, runtime)).filter((c) => c.check !== "Kafka data");
  if (!printPreflight(checks))
    throw new CommandError(`the new stack would not deploy (see above); nothing was changed.`);
  return from;
}

/**
 * The checks, step 1 (the snapshot, then read back and checked against what
 * the stack holds now), then the move put on record and step 2; the record
 * of the move once the old stack is gone, undefined when interrupted or
 * the removal stopped. A check that refuses throws, with nothing removed.
 */
async function saveAndRemove(
  runtime: ServiceRuntime,
  from: ChatBattleConfig,
  to: ChatBattleConfig,
  started: number,
  interrupts: Interrupts,
  options: { readonly allowDataLoss: boolean; readonly again: string },
): Promise<UnfinishedMigration | undefined> {
  const root = snapshotRoot(from.snapshotDir, PROJECT_ROOT);
  const name = `before-migrate-${new Date(started).toISOString().replace(/[:.]/g, "-")}`;
  const where = join(root, name);
  const kept = `The snapshot ${name} stays (npm run snapshot -- delete ${name} removes it).`;
  const source = await openStackData(from, process.env, runtime, say);
  try {
    say(
      "migrate: checking that the snapshot will hold everything the old stack holds, and that the new stack can take it back",
    );
    const consumers = await runningConsumers(source);
    if (consumers.length > 0) {
      throw new CommandError(
        `${consumers.join("; ")}: it would read on and commit offsets while the snapshot is saved, and those would not move. Nothing was changed. ` +
          "Stop its consumers first (Kafka's kafka-consumer-groups --describe --group NAME shows its members), then run npm run migrate again.",
      );
    }
    const problems = await restoreProblems(source, to);
    if (problems.length > 0) {
      throw new CommandError(
        `the new stack could not take this data back: ${problems.join("; ")}. Nothing was changed. ` +
          "Declare it so that a stack deployed from nothing has it (cql/, lib/topics.ts or TOPICS_FILE), then run npm run migrate again.",
      );
    }
    const missing = await notInSnapshot(source);
    const refusal = {
      command: "migrate",
      held: "changed nothing",
      allow: `${options.again} --allow-data-loss`,
      footer: "(npm run snapshot -- save NAME keeps what the stack holds now, whatever it is.)",
    };
    if (missing.length > 0 && !options.allowDataLoss) {
      throw new CommandError(
        refusalMessage(missing, {
          ...refusal,
          undo: "declare each topic (lib/topics.ts or TOPICS_FILE) so that the snapshot holds it, or move the keyspace's data elsewhere first, and run npm run migrate again",
        }),
      );
    }
    if (missing.length > 0) say(allowedMessage("migrate", "--allow-data-loss", missing));
    const writesBefore = await cassandraWrites(source);

    say(`\nmigrate: step 1 of 4: save a snapshot of the data (${where})`);
    const manifest = await saveSnapshot(source, root, name, { say, signal: interrupts.signal });
    if (interrupts.interrupted) return undefined;
    say(
      "migrate: reading the snapshot back from disk, and checking that nothing arrived meanwhile, before anything is removed",
    );
    const unreadable = await verifySnapshot(where, manifest);
    if (unreadable.length > 0)
      throw new CommandError(
        `the snapshot ${name} did not read back whole: ${unreadable.join("; ")}. Nothing was removed. ${kept}`,
      );
    const changed = [
      ...(await arrivedSince(source, manifest)),
      ...writtenSince(writesBefore, await cassandraWrites(source), source.keyspace),
      ...(await runningConsumers(source)),
    ];
    if (changed.length > 0) {
      throw new CommandError(
        `the stack changed while the snapshot was saved: ${changed.join("; ")}. Something still writes to it or reads from it, and what it does would not move. ` +
          `Nothing was removed. Stop it, then run npm run migrate again. ${kept}`,
      );
    }
    const expired = await expiredRecords(manifest, where, source.kafka);
    if (expired.length > 0 && !options.allowDataLoss) {
      throw new CommandError(
        [
          "migrate: refused: the move would lose records, so nothing was removed:",
          ...expiredLines(expired),
          "Ways forward:",
          "  - raise the topic's retention.ms (lib/topics.ts or TOPICS_FILE) and deploy, then migrate; or",
          `  - lose exactly these, deliberately: ${refusal.allow}`,
          kept,
        ].join("\n"),
      );
    }
    if (expired.length > 0)
      say(
        [
          "migrate: --allow-data-loss: going ahead; the new stack's broker deletes these after the restore:",
          ...expiredLines(expired),
        ].join("\n"),
      );
  } finally {
    await source.close();
  }

  // On record before anything is removed: whatever stops the removal, the next npm run migrate carries it on.
  const migration: UnfinishedMigration = {
    snapshot: name,
    folder: where,
    kafkaMode: to.kafka.mode,
    kafkaBrokers: to.kafka.brokers,
    startedAt: new Date(started).toISOString(),
    phase: "removing",
    allowedLoss: options.allowDataLoss,
  };
  recordUnfinishedMigration(PROJECT_ROOT, migration);
  return removeOldStack(runtime, migration, interrupts);
}

/** Step 2, from the record: the old stack removed (the record kept), then the record moved on; undefined when it stopped. */
async function removeOldStack(
  runtime: ServiceRuntime,
  migration: UnfinishedMigration,
  interrupts: Interrupts,
): Promise<UnfinishedMigration | undefined> {
  say("\nmigrate: step 2 of 4: remove the old stack (containers, network, volumes, state); the snapshot stays");
  const removal = await projectRemoval(runtime, PROJECT_ROOT);
  if (!(await removal.remove(interrupts, "migrate", [MIGRATION_RECORD]))) {
    console.error(
      `migrate: your data is safe in the snapshot ${migration.snapshot} (${migration.folder}). Run npm run migrate again to carry the move on.`,
    );
    return undefined;
  }
  const removed = { ...migration, phase: "deploying" as const };
  recordUnfinishedMigration(PROJECT_ROOT, removed);
  return removed;
}

/**
 * Steps 3 and 4, from the record of the move: .env, the deploy, the restore;
 * then the record goes. A failure leaves the record, so that the next
 * npm run migrate carries on from here. The restore never deletes: records
 * an earlier try wrote are kept and not written again, and anything else the
 * new stack holds stops it (see RestoreOptions.resume).
 */
async function finish(
  runtime: ServiceRuntime,
  migration: UnfinishedMigration,
  to: ChatBattleConfig,
  interrupts: Interrupts,
): Promise<number> {
  const changed = kafkaSettings(migration);
  writeSettings(join(PROJECT_ROOT, ".env"), changed);
  say(`migrate: .env now sets ${spelled(changed)}`);
  Object.assign(process.env, changed);
  const again = `Your data is safe in the snapshot ${migration.snapshot} (${migration.folder}); fix the cause and run npm run migrate again: it carries on from there.`;

  say(`\nmigrate: step 3 of 4: deploy with ${describe(to)}`);
  const deployed = await deployStack(to, runtime, {
    allowDataLoss: false,
    interrupts,
    noteUnfinishedMigration: false,
  }).catch((error: unknown) => {
    console.error(`deploy: ${error instanceof Error ? error.message : error}`);
    return 1;
  });
  if (deployed !== 0) {
    console.error(`migrate: the deploy did not finish. ${again}`);
    return 1;
  }

  say(`\nmigrate: step 4 of 4: restore ${migration.snapshot}`);
  const root = dirname(migration.folder);
  const manifest = readManifest(root, migration.snapshot);
  const target = await openStackData(to, process.env, runtime, say);
  try {
    await restoreSnapshot(manifest, migration.folder, target, {
      replace: false,
      resume: true,
      allowExpired: migration.allowedLoss === true,
      allowExpiredCommand: "(the move was started without --allow-data-loss; start it again with it)",
      say,
      signal: interrupts.signal,
    });
  } catch (error) {
    console.error(`migrate: ${error instanceof Error ? error.message : error}`);
    console.error(`migrate: the restore did not finish. ${again}`);
    return 1;
  } finally {
    await target.close();
  }
  clearUnfinishedMigration(PROJECT_ROOT);
  return 0;
}

function sayDone(
  migration: UnfinishedMigration,
  to: ChatBattleConfig,
  started: number,
  fromEnvironment: readonly string[],
): void {
  say(
    `\nmigrate: done in ${((Date.now() - started) / 1000).toFixed(1)} s: the stack runs ${describe(to)} with the data it had. ` +
      `The snapshot ${migration.snapshot} is kept (npm run snapshot -- delete ${migration.snapshot} removes it).`,
  );
  if (fromEnvironment.length > 0) {
    const settings: Record<string, string> = kafkaSettings(migration);
    say(
      `migrate: ${fromEnvironment.join(" and ")} ${fromEnvironment.length > 1 ? "are" : "is"} set in your environment, which wins over .env: set ${fromEnvironment.map((n) => `${n}=${settings[n]}`).join(" ")} there too.`,
    );
  }
}

// Which settings the environment itself sets, before .env is read: those win over .env, so the user must change them there too.
const FROM_ENVIRONMENT = ["KAFKA_MODE", "KAFKA_BROKERS"].filter((name) => process.env[name] !== undefined);

await defineCommand({
  name: "migrate",
  usage: USAGE,
  arguments: {
    options: {
      "kafka-mode": { type: "string" },
      brokers: { type: "string" },
      "allow-data-loss": { type: "boolean", default: false },
    },
  },
  localOnly: true,
  // The settings to move to are the options over the environment, or the record of an unfinished move.
  readsConfig: false,
  async run({ args: { values }, env, runtime, lock, interrupts }) {
    const unfinished = readUnfinishedMigration(PROJECT_ROOT);
    const to = unfinished
      ? resumedTarget(unfinished, values)
      : // Where to: the options, else the settings. Where from: what the volumes on the engine hold.
        parseConfig({
          ...env,
          ...(values["kafka-mode"] !== undefined ? { KAFKA_MODE: values["kafka-mode"] } : {}),
          ...(values.brokers !== undefined ? { KAFKA_BROKERS: values.brokers } : {}),
        });
    const from = unfinished ? undefined : await movable(runtime, to);
    if (!unfinished && !from) return 0;

    lock("npm run migrate");
    const started = Date.now();
    let migration = unfinished;
    if (migration) {
      say(`migrate: ${describeUnfinished(migration)}: carrying it on`);
      if (migration.phase === "removing") migration = await removeOldStack(runtime, migration, interrupts());
    } else {
      const again = `npm run migrate -- --kafka-mode ${to.kafka.mode} --brokers ${to.kafka.brokers}`;
      migration = await saveAndRemove(runtime, from!, to, started, interrupts(), {
        allowDataLoss: values["allow-data-loss"]!,
        again,
      });
    }
    if (!migration) return 1;
    const code = await finish(runtime, migration, to, interrupts());
    if (code === 0) sayDone(migration, to, started, FROM_ENVIRONMENT);
    return code;
  },
});
