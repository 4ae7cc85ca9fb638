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
 * tenfold, the commands stream. Beside them, on the same data: the tools a
 * user would otherwise reach for (kcat and cqlsh COPY, bench/snapshot-tools.ts,
 * set up by scripts/bench-tools.sh) and the write floor (the data written
 * with plain clients); the ratios to both. Writes it all to bench/results/.
 *
 * It replaces the stack's records in twitch-chat-messages and rows in
 * raw_chat_messages with its own, so it refuses a stack that holds any,
 * naming how many, unless given --allow-data-loss (save a snapshot first).
 */
import { spawnSync } from "node:child_process";
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import { tmpdir } from "node:os";
import cassandra from "cassandra-driver";
import kafkajs from "kafkajs";
import { runCommand } from "../lib/process/run-command";
import { CommandError, UsageError } from "../lib/errors";
import { formatTable } from "../lib/checks/table";
import { PROJECT_ROOT } from "../lib/project-root";
import { loadDotEnv } from "../lib/load-env";
import { parseConfig } from "../lib/config/config";
import { localTopology } from "../lib/topology/local-topology";
import { splitHostPort } from "../lib/endpoint";
import { benchTools, TABLE, TOPIC, toolsRestore, toolsSave } from "./snapshot-tools";

const BENCH_SNAPSHOT = "bench-snapshots";
/** Chat channels the messages and rows spread over: the rows' partitions. */
const CHANNELS = 500;
/** Each message is a chat message as the pipeline writes it, about 200 bytes of JSON. */
const chatMessage = (i: number) =>
  JSON.stringify({
    channel: `channel-${i % CHANNELS}`,
    user: `viewer${i % 20000}`,
    text: `message ${i}: PogChamp that play was unreal Kappa`,
    at: 1796000000000 + i,
    emotes: ["PogChamp", "Kappa"],
  });

interface Measured {
  readonly seconds: number;
  readonly peakMiB: number;
}

/** One size's numbers: the app's, the tools' on the same data, and the write floor. */
interface Result {
  readonly n: number;
  readonly plainMB: number;
  readonly gzipMB: number;
  readonly save: Measured;
  readonly restore: Measured;
  readonly saveMBps: number;
  readonly restoreMBps: number;
  /** kcat and cqlsh COPY side by side, in seconds. */
  readonly tools: { readonly save: number; readonly restore: number };
  /** The same messages and rows written with plain clients side by side, in seconds. */
  readonly floorSeconds: number;
  readonly saveVsTools: number;
  readonly restoreVsTools: number;
  readonly restoreVsFloor: number;
}

/** Runs an npm script's command in a process of its own under /usr/bin/time: its wall time and peak memory. */
function timed(args: readonly string[]): Measured {
  const result = spawnSync("/usr/bin/time", ["-f", "TIME %e %M", "node", "scripts/command.mjs", "snapshot", ...args], {
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

/** The stack's Kafka, through the bench's own client. */
const kafkaOf = (brokers: readonly string[], retries?: number) =>
  new kafkajs.Kafka({
    clientId: "chatbattle-bench",
    brokers: [...brokers],
    logLevel: kafkajs.logLevel.NOTHING,
    ...(retries === undefined ? {} : { retry: { retries } }),
  });

/** Runs `use` with a connected admin client (two retries), disconnected afterwards whatever happens. */
async function withAdmin<T>(brokers: readonly string[], use: (admin: kafkajs.Admin) => Promise<T>): Promise<T> {
  const admin = kafkaOf(brokers, 2).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Runs `use` with a connected Cassandra client whose requests wait up to `readTimeoutMs`, shut down afterwards. */
async function withCql<T>(
  contactPoint: string,
  datacenter: string,
  readTimeoutMs: number,
  use: (client: cassandra.Client) => Promise<T>,
): Promise<T> {
  const client = new cassandra.Client({
    contactPoints: [contactPoint],
    localDataCenter: datacenter,
    socketOptions: { readTimeout: readTimeoutMs },
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.shutdown();
  }
}

/** What the bench would replace: the records of twitch-chat-messages and the rows of raw_chat_messages, in words; empty when there are none. */
async function dataHeld(brokers: readonly string[], contactPoint: string, datacenter: string): Promise<string[]> {
  const records = await recordCount(brokers);
  const rows = await withCql(
    contactPoint,
    datacenter,
    30_000,
    async (client) => (await client.execute(`SELECT channel_id FROM ${TABLE} LIMIT 1`)).rowLength > 0,
  );
  return [
    ...(records > 0 ? [`twitch-chat-messages holds ${records} record(s)`] : []),
    ...(rows ? ["raw_chat_messages holds rows"] : []),
  ];
}

/** Deletes the records of twitch-chat-messages and the rows of raw_chat_messages (the topic and table stay). */
async function clear(brokers: readonly string[], contactPoint: string, datacenter: string): Promise<void> {
  await withAdmin(brokers, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    if (offsets.some((o) => o.high !== o.low))
      await admin.deleteTopicRecords({
        topic: TOPIC,
        partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
      });
  });
  await withCql(contactPoint, datacenter, 120_000, (client) => client.execute(`TRUNCATE ${TABLE}`));
}

/** Records in twitch-chat-messages now (high less low offsets). */
async function recordCount(brokers: readonly string[]): Promise<number> {
  return withAdmin(brokers, async (admin) =>
    (await admin.fetchTopicOffsets(TOPIC)).reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0),
  );
}

/**
 * Replaces the stack's data with n messages and n rows, written side by side
 * with plain clients as fast as the services take them (Kafka: batches of
 * 10,000, acks=1; Cassandra: a prepared INSERT in unlogged batches of one
 * partition's rows, 16 in flight). Its time is
 * the write floor: what this machine's Kafka and Cassandra take at all.
 */
async function fill(brokers: readonly string[], contactPoint: string, datacenter: string, n: number): Promise<number> {
  await clear(brokers, contactPoint, datacenter);
  const started = process.hrtime.bigint();
  const writeRecords = async () => {
    const producer = kafkaOf(brokers).producer();
    await producer.connect();
    try {
      for (let from = 0; from < n; from += 10_000) {
        await producer.send({
          topic: TOPIC,
          acks: 1,
          messages: Array.from({ length: Math.min(10_000, n - from) }, (_, j) => ({
            key: `channel-${(from + j) % CHANNELS}`,
            value: chatMessage(from + j),
          })),
        });
      }
    } finally {
      await producer.disconnect();
    }
  };
  const writeRows = () =>
    withCql(contactPoint, datacenter, 120_000, async (client) => {
      const insert = `INSERT INTO ${TABLE} (channel_id, timestamp, message_id, user_id, username, message, emotes) VALUES (?, ?, ?, ?, ?, ?, ?)`;
      const row = (i: number) => [
        `channel-${i % CHANNELS}`,
        cassandra.types.Long.fromNumber(1796000000000 + i),
        cassandra.types.Uuid.random(),
        `u${i % 20000}`,
        `viewer${i % 20000}`,
        `message ${i}: PogChamp that play was unreal Kappa`,
        ["PogChamp", "Kappa"],
      ];
      // The same rows as row i = 0 … n-1, taken channel by channel: each unlogged batch holds one
      // partition's rows, which the node applies as one mutation (as cqlsh COPY FROM does).
      function* batches(): Generator<unknown[][]> {
        for (let channel = 0; channel < CHANNELS; channel += 1) {
          let batch: unknown[][] = [];
          for (let i = channel; i < n; i += CHANNELS) {
            batch.push(row(i));
            if (batch.length === 100) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
        }
      }
      const next = batches();
      const worker = async () => {
        for (let batch = next.next(); !batch.done; batch = next.next())
          await client.batch(
            batch.value.map((params) => ({ query: insert, params })),
            { prepare: true, logged: false },
          );
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    });
  await Promise.all([writeRecords(), writeRows()]);
  return Number(process.hrtime.bigint() - started) / 1e9;
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
  const { cqlsh } = benchTools();
  const cql = splitHostPort(endpoints.cassandra.contactPoint);
  const toolTarget = { broker: endpoints.kafkaBrokers[0], cqlHost: cql.host, cqlPort: cql.port };
  const { contactPoint, datacenter } = endpoints.cassandra;
  const root = join(PROJECT_ROOT, config.snapshotDir);
  const rows: Result[] = [];
  for (const n of sizes) {
    console.log(
      `bench:snapshots: ${n.toLocaleString("en")} messages and rows: writing them with plain clients (the write floor)`,
    );
    const floorSeconds = await fill(endpoints.kafkaBrokers, contactPoint, datacenter, n);
    rmSync(join(root, BENCH_SNAPSHOT), { recursive: true, force: true });
    console.log(`bench:snapshots: ${n.toLocaleString("en")}: npm run snapshot -- save, then restore --replace`);
    const save = timed(["save", BENCH_SNAPSHOT]);
    const bytes = await folderBytes(join(root, BENCH_SNAPSHOT));
    const restore = timed(["restore", BENCH_SNAPSHOT, "--replace"]);
    rmSync(join(root, BENCH_SNAPSHOT), { recursive: true, force: true });
    console.log(`bench:snapshots: ${n.toLocaleString("en")}: kcat and cqlsh COPY, save then restore, side by side`);
    const toolsFolder = mkdtempSync(join(tmpdir(), "chatbattle-bench-tools-"));
    let tools: { save: number; restore: number };
    try {
      const toolsSaveSeconds = await toolsSave(cqlsh, toolTarget, toolsFolder, 3600);
      await clear(endpoints.kafkaBrokers, contactPoint, datacenter);
      const restored = await toolsRestore(cqlsh, toolTarget, toolsFolder, 3600);
      const records = await recordCount(endpoints.kafkaBrokers);
      if (records !== n || restored.rows !== n)
        throw new CommandError(
          `bench:snapshots: the tools restored ${records} record(s) and ${restored.rows} row(s), not ${n} of each`,
        );
      tools = { save: toolsSaveSeconds, restore: restored.seconds };
    } finally {
      rmSync(toolsFolder, { recursive: true, force: true });
    }
    const mbps = (b: number, s: number) => b / 1e6 / s;
    rows.push({
      n,
      plainMB: bytes.plain / 1e6,
      gzipMB: bytes.gzip / 1e6,
      save,
      restore,
      saveMBps: mbps(bytes.plain, save.seconds),
      restoreMBps: mbps(bytes.plain, restore.seconds),
      tools,
      floorSeconds,
      saveVsTools: save.seconds / tools.save,
      restoreVsTools: restore.seconds / tools.restore,
      restoreVsFloor: restore.seconds / floorSeconds,
    });
    console.log(
      `bench:snapshots: ${n.toLocaleString("en")}: save ${save.seconds} s (${save.peakMiB.toFixed(0)} MiB peak; the tools ${tools.save.toFixed(1)} s), ` +
        `restore ${restore.seconds} s (${restore.peakMiB.toFixed(0)} MiB peak; the tools ${tools.restore.toFixed(1)} s; the write floor ${floorSeconds.toFixed(1)} s)`,
    );
  }
  const table = formatTable(
    [
      "MESSAGES + ROWS",
      "DATA (JSON / GZIP)",
      "SAVE",
      "TOOLS",
      "SAVE ×",
      "SAVE PEAK",
      "RESTORE",
      "TOOLS",
      "RESTORE ×",
      "FLOOR",
      "RESTORE / FLOOR",
      "RESTORE PEAK",
    ],
    rows.map((m) => [
      `${m.n.toLocaleString("en")} + ${m.n.toLocaleString("en")}`,
      `${m.plainMB.toFixed(0)} MB / ${m.gzipMB.toFixed(0)} MB`,
      `${m.save.seconds.toFixed(1)} s`,
      `${m.tools.save.toFixed(1)} s`,
      `${m.saveVsTools.toFixed(2)}×`,
      `${m.save.peakMiB.toFixed(0)} MiB`,
      `${m.restore.seconds.toFixed(1)} s`,
      `${m.tools.restore.toFixed(1)} s`,
      `${m.restoreVsTools.toFixed(2)}×`,
      `${m.floorSeconds.toFixed(1)} s`,
      `${m.restoreVsFloor.toFixed(2)}×`,
      `${m.restore.peakMiB.toFixed(0)} MiB`,
    ]),
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
