/**
 * npm run bench:snapshots [-- --sizes 100000,1000000]
 *
 * How fast `npm run snapshot -- save` and `restore` move data, and how much
 * memory they take, on the running local stack (npm run deploy first): for
 * each size N it replaces the stack's data with N chat messages in
 * twitch-chat-messages and N rows in raw_chat_messages, then times the two
 * commands as a user runs them, each in a process of its own under
 * /usr/bin/time for its peak memory (maximum resident set). Prints MB/s of
 * the data as the snapshot holds it (JSON lines, before gzip) and of the
 * gzip files, and the peak memory per size: if it stays flat while N grows
 * tenfold, the commands stream. Writes it all to bench/results/.
 *
 * It replaces the stack's records in twitch-chat-messages and rows in
 * raw_chat_messages with its own, so it refuses a stack that holds any,
 * naming how many, unless given --allow-data-loss (save a snapshot first).
 */
import { spawnSync } from "node:child_process";
import { createReadStream, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import cassandra from "cassandra-driver";
import kafkajs from "kafkajs";
import { runCommand } from "../lib/process/run-command";
import { CommandError, UsageError } from "../lib/errors";
import { formatTable } from "../lib/checks/table";
import { PROJECT_ROOT } from "../lib/project-root";
import { loadDotEnv } from "../lib/load-env";
import { parseConfig } from "../lib/config/config";
import { localTopology } from "../lib/topology/local-topology";

const BENCH_SNAPSHOT = "bench-snapshots";
/** Each message is a chat message as the pipeline writes it, about 200 bytes of JSON. */
const chatMessage = (i: number) =>
  JSON.stringify({
    channel: `channel-${i % 500}`,
    user: `viewer${i % 20000}`,
    text: `message ${i}: PogChamp that play was unreal Kappa`,
    at: 1796000000000 + i,
    emotes: ["PogChamp", "Kappa"],
  });

interface Measured {
  readonly seconds: number;
  readonly peakMiB: number;
}

/** Runs an npm script's command in a process of its own under /usr/bin/time: its wall time and peak memory. */
function timed(args: readonly string[]): Measured {
  const result = spawnSync("/usr/bin/time", ["-f", "TIME %e %M", "npx", "tsx", "lib/commands/snapshot.ts", ...args], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    timeout: 3_600_000,
  });
  const line = /TIME ([\d.]+) (\d+)/.exec(result.stderr ?? "");
  if (result.status !== 0 || !line)
    throw new CommandError(`snapshot ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return { seconds: Number(line[1]), peakMiB: Number(line[2]) / 1024 };
}

/** Bytes of a gzip file's content, counted as a stream. */
async function gunzippedBytes(path: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(path).pipe(createGunzip())) bytes += (chunk as Buffer).length;
  return bytes;
}

async function folderBytes(folder: string): Promise<{ gzip: number; plain: number }> {
  let gzip = 0;
  let plain = 0;
  for (const sub of ["kafka", "cassandra"]) {
    for (const file of readdirSync(join(folder, sub))) {
      const path = join(folder, sub, file);
      gzip += (await import("node:fs")).statSync(path).size;
      plain += await gunzippedBytes(path);
    }
  }
  return { gzip, plain };
}

/** What the bench would replace: the records of twitch-chat-messages and the rows of raw_chat_messages, in words; empty when there are none. */
async function dataHeld(brokers: readonly string[], contactPoint: string, datacenter: string): Promise<string[]> {
  const kafka = new kafkajs.Kafka({
    clientId: "chatbattle-bench",
    brokers: [...brokers],
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  await admin.connect();
  let records: number;
  try {
    records = (await admin.fetchTopicOffsets("twitch-chat-messages")).reduce(
      (sum, o) => sum + Number(o.high) - Number(o.low),
      0,
    );
  } finally {
    await admin.disconnect();
  }
  const client = new cassandra.Client({
    contactPoints: [contactPoint],
    localDataCenter: datacenter,
    socketOptions: { readTimeout: 30_000 },
  });
  await client.connect();
  let rows: boolean;
  try {
    rows = (await client.execute("SELECT channel_id FROM twitch_chat.raw_chat_messages LIMIT 1")).rowLength > 0;
  } finally {
    await client.shutdown();
  }
  return [
    ...(records > 0 ? [`twitch-chat-messages holds ${records} record(s)`] : []),
    ...(rows ? ["raw_chat_messages holds rows"] : []),
  ];
}

/** Replaces the stack's data with n messages and n rows, written as fast as the services take them. */
async function fill(brokers: readonly string[], contactPoint: string, datacenter: string, n: number): Promise<void> {
  const kafka = new kafkajs.Kafka({
    clientId: "chatbattle-bench",
    brokers: [...brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  for (const topic of ["twitch-chat-messages", "channel-stats"]) {
    const offsets = await admin.fetchTopicOffsets(topic);
    if (offsets.some((o) => o.high !== o.low) && topic === "twitch-chat-messages")
      await admin.deleteTopicRecords({
        topic,
        partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
      });
  }
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let from = 0; from < n; from += 10_000) {
    await producer.send({
      topic: "twitch-chat-messages",
      acks: 1,
      messages: Array.from({ length: Math.min(10_000, n - from) }, (_, j) => ({
        key: `channel-${(from + j) % 500}`,
        value: chatMessage(from + j),
      })),
    });
  }
  await producer.disconnect();
  const client = new cassandra.Client({
    contactPoints: [contactPoint],
    localDataCenter: datacenter,
    socketOptions: { readTimeout: 120_000 },
  });
  await client.connect();
  try {
    await client.execute("TRUNCATE twitch_chat.raw_chat_messages");
    const insert =
      "INSERT INTO twitch_chat.raw_chat_messages (channel_id, timestamp, message_id, user_id, username, message, emotes) VALUES (?, ?, ?, ?, ?, ?, ?)";
    const { Readable } = await import("node:stream");
    const rows = Readable.from(
      (function* () {
        for (let i = 0; i < n; i += 1) {
          yield [
            `channel-${i % 500}`,
            cassandra.types.Long.fromNumber(1796000000000 + i),
            cassandra.types.Uuid.random(),
            `u${i % 20000}`,
            `viewer${i % 20000}`,
            `message ${i}: PogChamp that play was unreal Kappa`,
            ["PogChamp", "Kappa"],
          ];
        }
      })(),
    );
    await cassandra.concurrent.executeConcurrent(client, insert, rows, { concurrencyLevel: 256 });
  } finally {
    await client.shutdown();
  }
}

await runCommand("bench:snapshots", async () => {
  const usage = "usage: npm run bench:snapshots [-- --sizes 100000,1000000] [--allow-data-loss]";
  let values: { sizes?: string; "allow-data-loss"?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        sizes: { type: "string", default: "100000,1000000" },
        "allow-data-loss": { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  const sizes = values.sizes!.split(",").map(Number);
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new UsageError(usage);
  loadDotEnv();
  const config = parseConfig(process.env);
  const endpoints = localTopology(config);
  const held = await dataHeld(endpoints.kafkaBrokers, endpoints.cassandra.contactPoint, endpoints.cassandra.datacenter);
  if (held.length > 0 && !values["allow-data-loss"]) {
    throw new CommandError(
      `refused: the bench replaces the stack's data with its own, and ${held.join(" and ")}; nothing was changed. ` +
        "Save it first (npm run snapshot -- save NAME), then run npm run bench:snapshots -- --allow-data-loss; or run the bench on a stack without data.",
    );
  }
  if (held.length > 0)
    console.log(`bench:snapshots: --allow-data-loss: replacing what the stack holds (${held.join(", ")})`);
  const root = join(PROJECT_ROOT, config.snapshotDir);
  const rows: Record<string, unknown>[] = [];
  for (const n of sizes) {
    console.log(`bench:snapshots: ${n.toLocaleString("en")} messages and rows: writing them`);
    await fill(endpoints.kafkaBrokers, endpoints.cassandra.contactPoint, endpoints.cassandra.datacenter, n);
    rmSync(join(root, BENCH_SNAPSHOT), { recursive: true, force: true });
    const save = timed(["save", BENCH_SNAPSHOT]);
    const bytes = await folderBytes(join(root, BENCH_SNAPSHOT));
    const restore = timed(["restore", BENCH_SNAPSHOT, "--replace"]);
    rmSync(join(root, BENCH_SNAPSHOT), { recursive: true, force: true });
    const mbps = (b: number, s: number) => b / 1e6 / s;
    rows.push({
      n,
      plainMB: bytes.plain / 1e6,
      gzipMB: bytes.gzip / 1e6,
      save,
      restore,
      saveMBps: mbps(bytes.plain, save.seconds),
      restoreMBps: mbps(bytes.plain, restore.seconds),
    });
    console.log(
      `bench:snapshots: ${n.toLocaleString("en")}: save ${save.seconds} s (${save.peakMiB.toFixed(0)} MiB peak), restore ${restore.seconds} s (${restore.peakMiB.toFixed(0)} MiB peak)`,
    );
  }
  const table = formatTable(
    [
      "MESSAGES + ROWS",
      "DATA (JSON / GZIP)",
      "SAVE",
      "SAVE MB/s",
      "SAVE PEAK",
      "RESTORE",
      "RESTORE MB/s",
      "RESTORE PEAK",
    ],
    rows.map((r) => {
      const m = r as {
        n: number;
        plainMB: number;
        gzipMB: number;
        save: Measured;
        restore: Measured;
        saveMBps: number;
        restoreMBps: number;
      };
      return [
        `${m.n.toLocaleString("en")} + ${m.n.toLocaleString("en")}`,
        `${m.plainMB.toFixed(0)} MB / ${m.gzipMB.toFixed(0)} MB`,
        `${m.save.seconds.toFixed(1)} s`,
        m.saveMBps.toFixed(1),
        `${m.save.peakMiB.toFixed(0)} MiB`,
        `${m.restore.seconds.toFixed(1)} s`,
        m.restoreMBps.toFixed(1),
        `${m.restore.peakMiB.toFixed(0)} MiB`,
      ];
    }),
  );
  console.log(`\n${table}`);
  const results = join(PROJECT_ROOT, "bench", "results");
  mkdirSync(results, { recursive: true });
  const file = join(results, `snapshots-${new Date().toISOString().replace(/:/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { machine: { cpus: cpus().length, memoryGiB: totalmem() / 2 ** 30 }, kafka: config.kafka, results: rows },
      null,
      2,
    ),
  );
  console.log(`bench:snapshots: written to ${file}`);
  return 0;
});
