/**
 * Data that outlives the stack's shape, end to end with the user's commands
 * in a copy of the project: snapshots saved, listed, refused when damaged or
 * when they would mix with data, restored with --replace; npm run migrate
 * refusing, before it removes anything, what its snapshot would not hold (a
 * topic not declared, another keyspace), a running consumer, a table the new
 * stack would not have and records arriving while it saves; then moving
 * from ZooKeeper with one broker to KRaft with three (its removal stopped by
 * a volume in use, and carried on) losing exactly what it was allowed to,
 * and back (killed with -9 during its deploy, carried on by the next
 * migrate, which does not restore over a record written meanwhile), each
 * time checked with the test's own clients: every record (partition, key,
 * value, headers, timestamp), each consumer group's next record and every
 * row (values, write times, expiry) the same as before. Runs on an empty
 * engine (files run one at a time) and removes what it created.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, existsSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { APP_ENTRIES, copyProject, environmentWithoutSettings } from "../../test-support/project";
import { Steps } from "./steps";
import { offlineEnvironment } from "../../test-support/offline-env";
import { requireEmptyEngine } from "./stack-checks";
import {
  dataIdentity,
  describeIdentity,
  expectSameData,
  SAMPLE_GROUPS,
  writeSampleData,
  type DataIdentity,
} from "./data-identity";
import { npmScript as npm } from "../../test-support/command";
import kafkajs from "kafkajs";
import { docker } from "../../lib/adapters/docker/docker-cli";
import { findProjectObjects } from "../../lib/adapters/docker/project-objects";
import { messageCount, produce, produceMany, withCassandra } from "./clients";
import { leftoverProcesses } from "../../test-support/processes";

const DEPLOY = 420;
const MIGRATE = 900;
const QUICK = 120;
const CQL = "127.0.0.1:9042";
const ONE_BROKER = ["127.0.0.1:9092"];
const THREE_BROKERS = ["127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094"];

// No KAFKA_MODE or KAFKA_BROKERS here: the stack starts on the defaults, and migrate writes .env.
const env = { ...environmentWithoutSettings(), ...offlineEnvironment(), CHECKPOINT_DISABLE: "1", FORCE_COLOR: "0" };
// bench/ too, with test-support/ it runs its commands through: the bench refuses a stack that holds data,
// which is checked here.
const project = copyProject([...APP_ENTRIES, "bench", "test-support"], "chatbattle-e2e-data-");
const steps = new Steps(project.dir, env);
const snapshots = join(project.dir, "snapshots");
/** What the stack holds before each move: what every move must keep. */
let original: DataIdentity;
/** What the snapshot "before" holds: what restoring it brings back. */
let inSnapshotBefore: DataIdentity;

beforeAll(requireEmptyEngine);

afterAll(async () => {
  await steps.run("clean-up: npm run reset", npm("reset", "--yes"), QUICK).catch(() => undefined);
  console.log(`data moves: step times\n${steps.table()}`);
  project.remove();
});

describe("snapshots", () => {
  it("saves every record, group offset and row of a ZooKeeper stack with one broker, and lists it", async () => {
    const deploy = await steps.run("cold deploy (zookeeper x1)", npm("deploy"), DEPLOY);
    expect(deploy.status, deploy.output.slice(-4000)).toBe(0);
    await writeSampleData(ONE_BROKER, CQL, { records: 6000, rows: 3000 });
    original = await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS);
    inSnapshotBefore = original;
    console.log(`data moves: the data written (zookeeper x1)\n${describeIdentity(original)}`);
    expect(original.records["twitch-chat-messages"]).toHaveLength(6000);
    expect(original.records["channel-stats"]).toHaveLength(4);
    expect(Object.keys(original.nextRecords).sort()).toEqual([
      "chat-readers twitch-chat-messages/0",
      "chat-readers twitch-chat-messages/1",
      "chat-readers twitch-chat-messages/2",
      "stats-readers channel-stats/0",
      "stats-readers channel-stats/1",
      "stats-readers channel-stats/2",
    ]);
    expect(original.rows).toHaveLength(3001);

    const save = await steps.succeed("npm run snapshot -- save before", npm("snapshot", "save", "before"), QUICK);
    console.log(`data moves: npm run snapshot -- save\n${save.output}`);
    expect(save.output).toMatch(/snapshot: saved before: 6,004 records, 3,001 rows, [\d.]+ MB in [\d.]+ s/);
    const list = await steps.succeed("npm run snapshot -- list", npm("snapshot", "list"), QUICK);
    expect(list.output).toMatch(/^before +\S+ +zookeeper x1 +6,004 +3,001 +[\d.]+ MB$/m);
    // Formats anyone reads: a gzip of JSON lines, one per record.
    const first = JSON.parse(
      gunzipSync(readFileSync(join(snapshots, "before", "kafka", "twitch-chat-messages.jsonl.gz")))
        .toString()
        .split("\n")[0],
    );
    expect(Object.keys(first)).toEqual(["partition", "offset", "timestamp", "key", "value", "headers"]);
  });

  it("refuses to restore over data without --replace, naming what is there, and changes nothing", async () => {
    const refused = await steps.run(
      "npm run snapshot -- restore before (data there)",
      npm("snapshot", "restore", "before"),
      QUICK,
    );
    expect(refused.status).toBe(1);
    expect(refused.output).toContain(
      "the stack already holds data that the snapshot would mix with: topic twitch-chat-messages: 6,000 record(s); topic channel-stats: 4 record(s); table twitch_chat.raw_chat_messages: has rows. Nothing was restored.",
    );
    expect(refused.output).toContain("npm run snapshot -- restore before --replace");
    expectSameData(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS), original);
  });

  it("refuses a damaged snapshot and one with more partitions than the topics have, before writing anything", async () => {
    cpSync(join(snapshots, "before"), join(snapshots, "damaged"), { recursive: true });
    const file = join(snapshots, "damaged", "kafka", "channel-stats.jsonl.gz");
    writeFileSync(file, gzipSync(gunzipSync(readFileSync(file)).toString().replace('"MTA="', '"OTk="')));
    const damaged = await steps.run(
      "restore a damaged snapshot",
      npm("snapshot", "restore", "damaged", "--replace"),
      QUICK,
    );
    expect(damaged.status).toBe(1);
    expect(damaged.output).toContain(
      "snapshot damaged is damaged: kafka/channel-stats.jsonl.gz does not match its checksum (the file changed or is damaged). Nothing was restored.",
    );

    cpSync(join(snapshots, "before"), join(snapshots, "wider"), { recursive: true });
    const manifestPath = join(snapshots, "wider", "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    manifest.topics[0].partitions = 5;
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const wider = await steps.run(
      "restore into fewer partitions",
      npm("snapshot", "restore", "wider", "--replace"),
      QUICK,
    );
    expect(wider.status).toBe(1);
    expect(wider.output).toContain(
      "topic twitch-chat-messages has 3 partition(s) here and 5 in the snapshot: each record goes back to its own partition",
    );
    expectSameData(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS), original);
    for (const name of ["damaged", "wider"])
      await steps.succeed(`npm run snapshot -- delete ${name}`, npm("snapshot", "delete", name), QUICK);
    expect(readdirSync(snapshots)).toEqual(["before"]);
  });
});

describe("npm run migrate", () => {
  it("checks the new stack first: with a port it needs taken, it stops before saving or removing anything", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(9093, "127.0.0.1", resolve));
    try {
      const refused = await steps.run(
        "npm run migrate with port 9093 taken",
        npm("migrate", "--kafka-mode", "kraft", "--brokers", "3"),
        QUICK,
      );
      expect(refused.status).toBe(1);
      expect(refused.output).toMatch(/^FAIL +port 9093 +127\.0\.0\.1:9093 is already in use by another program/m);
      expect(refused.output).toContain("migrate: the new stack would not deploy (see above); nothing was changed.");
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    expect(readdirSync(snapshots)).toEqual(["before"]);
    expectSameData(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS), original);
  });

  it("refuses, before it saves or removes anything, what its snapshot would not hold, a running consumer and a table the new stack would not have", async () => {
    const toKraft = npm("migrate", "--kafka-mode", "kraft", "--brokers", "3");
    // What a Streams app or kafka-topics leaves, and a keyspace of another project.
    const kafka = new kafkajs.Kafka({
      clientId: "chatbattle-e2e-extra",
      brokers: ONE_BROKER,
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "scratch-events", numPartitions: 2, replicationFactor: 1 }] });
    await admin.disconnect();
    await produceMany(ONE_BROKER[0], "scratch-events", 10, "scratch");
    await withCassandra(CQL, async (client) => {
      await client.execute(
        "CREATE KEYSPACE analytics WITH REPLICATION = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      );
      await client.execute("CREATE TABLE analytics.visits (id int PRIMARY KEY, page text)");
      for (let i = 0; i < 5; i += 1)
        await client.execute("INSERT INTO analytics.visits (id, page) VALUES (?, 'home')", [i], { prepare: true });
    });
    const notHeld = await steps.run("npm run migrate (a topic not declared, another keyspace)", toKraft, QUICK);
    console.log(
      `data moves: the refusal of what the snapshot would not hold\n${notHeld.output.slice(notHeld.output.indexOf("migrate: refused"))}`,
    );
    expect(notHeld.status).toBe(1);
    expect(notHeld.output).toContain(
      "  topic scratch-events: is not declared (lib/topics.ts or TOPICS_FILE), so the snapshot would not hold it, and step 2 deletes it with the Kafka volumes. It holds 2 partition(s), 10 message(s).",
    );
    expect(notHeld.output).toContain(
      "  keyspace analytics: is not CASSANDRA_KEYSPACE (twitch_chat), so the snapshot would not hold it, and step 2 deletes it with the Cassandra volume. It holds 1 table(s) (visits) with 5 row(s).",
    );
    expect(notHeld.output).toContain("npm run migrate -- --kafka-mode kraft --brokers 3 --allow-data-loss");

    const consumer = kafka.consumer({ groupId: "live-readers" });
    await consumer.connect();
    await consumer.subscribe({ topic: "twitch-chat-messages", fromBeginning: true });
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    try {
      const consuming = await steps.run(
        "npm run migrate (a consumer running)",
        [...toKraft, "--allow-data-loss"],
        QUICK,
      );
      expect(consuming.status).toBe(1);
      expect(consuming.output).toContain(
        "consumer group live-readers has 1 member(s) running: it would read on and commit offsets while the snapshot is saved",
      );
    } finally {
      await consumer.disconnect();
    }

    await withCassandra(CQL, (client) =>
      client.execute("CREATE TABLE twitch_chat.channel_counts (channel text PRIMARY KEY, n counter)"),
    );
    const byHand = await steps.run(
      "npm run migrate (a table cql/ does not create)",
      [...toKraft, "--allow-data-loss"],
      QUICK,
    );
    expect(byHand.status).toBe(1);
    expect(byHand.output).toContain(
      "the new stack could not take this data back: table twitch_chat.channel_counts is not created by cql/ (made by hand?)",
    );
    await withCassandra(CQL, (client) => client.execute("DROP TABLE twitch_chat.channel_counts"));

    expect(readdirSync(snapshots)).toEqual(["before"]);
    expect((await findProjectObjects()).volumes).toHaveLength(4);
    expectSameData(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS), original);
  });

  it("refuses, before it removes anything, when records arrive while it saves; and the bench refuses a stack that holds data", async () => {
    const producer = new kafkajs.Kafka({
      clientId: "chatbattle-e2e-live",
      brokers: ONE_BROKER,
      logLevel: kafkajs.logLevel.NOTHING,
    }).producer();
    await producer.connect();
    let producing = true;
    const writing = (async () => {
      for (let n = 0; producing; n += 1) {
        await producer.send({
          topic: "twitch-chat-messages",
          acks: -1,
          messages: [{ key: "live", value: `live-${n}` }],
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      const arriving = await steps.run(
        "npm run migrate (records arriving)",
        npm("migrate", "--kafka-mode", "kraft", "--brokers", "3", "--allow-data-loss"),
        QUICK,
      );
      expect(arriving.status).toBe(1);
      expect(arriving.output).toMatch(
        /the stack changed while the snapshot was saved: \d+ record\(s\) arrived in topic twitch-chat-messages after the snapshot read it\..* Nothing was removed\./,
      );
    } finally {
      producing = false;
      await writing;
      await producer.disconnect();
    }
    expect((await findProjectObjects()).volumes).toHaveLength(4);
    const made = readdirSync(snapshots).filter((n) => n.startsWith("before-migrate-"));
    expect(made).toHaveLength(1);
    await steps.succeed("npm run snapshot -- delete (the refused move's)", npm("snapshot", "delete", made[0]), QUICK);

    const bench = await steps.run(
      "npm run bench:snapshots on a stack with data (refused)",
      npm("bench:snapshots", "--sizes", "10"),
      QUICK,
    );
    expect(bench.status).toBe(1);
    expect(bench.output).toMatch(
      /refused: the bench replaces the stack's data with its own, and twitch-chat-messages holds \d+ record\(s\) and raw_chat_messages holds rows; nothing was changed/,
    );
    // What the stack holds now, records written meanwhile included, is what the moves must keep.
    original = await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS);
  });

  it("moves ZooKeeper x1 to KRaft x3, allowed to lose exactly what it named, carried on after a volume in use stopped its removal, with every record, group position and row the same", async () => {
    // A container of the user's holds a volume: step 2 stops there, with the move on record.
    const image = (env as Record<string, string | undefined>).CASSANDRA_IMAGE ?? "cassandra:4.1.11";
    docker([
      "run",
      "-d",
      "--name",
      "chatbattle-e2e-holder",
      "-v",
      "chatbattle-zookeeper-logs:/held",
      "--entrypoint",
      "sleep",
      image,
      "600",
    ]);
    let stopped;
    try {
      stopped = await steps.run(
        "npm run migrate -- --kafka-mode kraft --brokers 3 --allow-data-loss (a volume in use)",
        npm("migrate", "--kafka-mode", "kraft", "--brokers", "3", "--allow-data-loss"),
        MIGRATE,
      );
      expect(stopped.status).toBe(1);
      expect(stopped.output).toContain("migrate: --allow-data-loss: going ahead; this is lost now:");
      expect(stopped.output).toMatch(
        /migrate: could not remove the volumes \(.*volume is in use.*\); still there: volumes, Terraform state\./,
      );
      expect(JSON.parse(readFileSync(join(project.dir, "state", "migration.json"), "utf8"))).toMatchObject({
        phase: "removing",
        kafkaMode: "kraft",
        kafkaBrokers: 3,
      });
      const deploy = await steps.run(
        "npm run deploy while the old stack is half removed (refused)",
        npm("deploy"),
        QUICK,
      );
      expect(deploy.status).toBe(1);
      expect(deploy.output).toContain(
        "A deploy now would start the old stack again on what is left of it, so nothing was changed.",
      );
      const moving = readdirSync(snapshots).filter((n) => n.startsWith("before-migrate-"))[0];
      const kept = await steps.run(
        "npm run snapshot -- delete (the unfinished move's, refused)",
        npm("snapshot", "delete", moving),
        QUICK,
      );
      expect(kept.status).toBe(1);
      expect(kept.output).toContain(`snapshot ${moving} is what an unfinished move restores next`);
    } finally {
      docker(["rm", "--force", "chatbattle-e2e-holder"], { allowFailure: true });
    }
    const migrate = await steps.run("npm run migrate (carries the stopped move on)", npm("migrate"), MIGRATE);
    console.log(
      `data moves: npm run migrate to kraft x3 (its own lines)\n${[stopped.output, migrate.output]
        .join("\n")
        .split("\n")
        .filter((l) => /^(migrate|snapshot|restore):|^ {2}(topic|keyspace) /.test(l))
        .join("\n")}`,
    );
    expect(migrate.status, migrate.output.slice(-4000)).toBe(0);
    // Lost exactly what it named: the topic not declared and the other keyspace.
    const admin = new kafkajs.Kafka({
      clientId: "chatbattle-e2e-extra",
      brokers: THREE_BROKERS,
      logLevel: kafkajs.logLevel.NOTHING,
    }).admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain("scratch-events");
    await admin.disconnect();
    expect(
      await withCassandra(
        CQL,
        async (client) =>
          (await client.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'analytics'"))
            .rowLength,
      ),
    ).toBe(0);
    expect(readFileSync(join(project.dir, ".env"), "utf8")).toBe("KAFKA_MODE=kraft\nKAFKA_BROKERS=3\n");
    const moved = await dataIdentity(THREE_BROKERS, CQL, SAMPLE_GROUPS);
    console.log(`data moves: after the move to kraft x3\n${describeIdentity(moved)}`);
    expectSameData(moved, original);
    const health = await steps.run("npm run health (kraft x3)", npm("health"), QUICK);
    expect(health.status, health.output).toBe(0);
    expect(health.output).toMatch(/3 broker\(s\) online; 2 topics as declared; no under-replicated partitions/);
  });

  it("moves KRaft x3 back to ZooKeeper x1 the same way, even when the move is killed (-9) during its deploy: the next migrate carries it on", async () => {
    const killed = steps.start(npm("migrate", "--kafka-mode", "zookeeper", "--brokers", "1"), MIGRATE);
    try {
      const until = Date.now() + MIGRATE * 1000;
      while (!/^(kafka|cassandra) +docker_container\.\S+: Creating/m.test(killed.output()) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
      killed.signal("SIGKILL");
    } finally {
      await killed.done.catch(() => undefined);
    }
    expect(killed.output()).toContain("migrate: step 3 of 4: deploy with KAFKA_MODE=zookeeper with 1 broker(s)");
    expect(existsSync(join(project.dir, "state", "migration.json"))).toBe(true);
    // What a user may well do next: deploy. It finishes the stack and says the data is not back yet.
    const deploy = await steps.run("npm run deploy after migrate was killed", npm("deploy"), DEPLOY);
    expect(deploy.status, deploy.output.slice(-4000)).toBe(0);
    expect(deploy.output).toMatch(
      /^deploy: note: an npm run migrate to KAFKA_MODE=zookeeper with 1 broker\(s\) did not finish: its data is in the snapshot before-migrate-\S+ \(.*\) and not restored yet; npm run migrate carries it on\.$/m,
    );
    // The Terraform and provider plugins the kill left behind are ended by that deploy, by pid.
    expect(leftoverProcesses(project.dir)).toEqual([]);
    // A producer that started again writes to the new stack: the move does not restore over its record, nor delete it.
    await produce(ONE_BROKER[0], "twitch-chat-messages", "written-on-the-new-stack");
    const refused = await steps.run("npm run migrate (a record written on the new stack)", npm("migrate"), MIGRATE);
    expect(refused.status).toBe(1);
    expect(refused.output).toMatch(
      /the stack holds records that are not the snapshot's \(written since it started\): topic twitch-chat-messages partition \d holds a record at offset 0 that the snapshot does not have there\. Nothing more was restored, and nothing was deleted\./,
    );
    expect(await messageCount(ONE_BROKER[0], "twitch-chat-messages")).toBe(1);
    // The user decides: the snapshot's data in its place (--replace), then the move finishes.
    const moving = JSON.parse(readFileSync(join(project.dir, "state", "migration.json"), "utf8")).snapshot;
    await steps.succeed(
      "npm run snapshot -- restore --replace (the user's choice)",
      npm("snapshot", "restore", moving, "--replace"),
      QUICK,
    );
    const carried = await steps.run("npm run migrate (carries the killed one on)", npm("migrate"), MIGRATE);
    console.log(
      `data moves: the killed move, carried on\n${carried.output
        .split("\n")
        .filter((l) => /^(migrate|restore):/.test(l))
        .join("\n")}`,
    );
    expect(carried.status, carried.output.slice(-4000)).toBe(0);
    expect(carried.output).toContain("carrying it on");
    expect(carried.output).toMatch(
      /restore: carrying on: [\d,]+ record\(s\) are there already as the snapshot has them, and are not written again/,
    );
    expect(existsSync(join(project.dir, "state", "migration.json"))).toBe(false);
    const back = await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS);
    console.log(`data moves: after the move back to zookeeper x1\n${describeIdentity(back)}`);
    expectSameData(back, original);
    expect((await steps.run("npm run health (zookeeper x1)", npm("health"), QUICK)).status).toBe(0);
    expect(readdirSync(snapshots).filter((n) => n.startsWith("before-migrate-"))).toHaveLength(2);
    expect(leftoverProcesses(project.dir)).toEqual([]);
  });

  it("restores a snapshot over the stack's data with --replace, compacted topic included", async () => {
    await writeSampleData(ONE_BROKER, CQL, { records: 300, rows: 100 });
    expect(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS)).not.toEqual(original);
    const replace = await steps.run(
      "npm run snapshot -- restore before --replace",
      npm("snapshot", "restore", "before", "--replace"),
      QUICK,
    );
    console.log(`data moves: restore --replace\n${replace.output}`);
    expect(replace.status, replace.output).toBe(0);
    expect(replace.output).toMatch(
      /restore: done in [\d.]+ s: 6,004 records and 3,001 rows, every count as the manifest says/,
    );
    expectSameData(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS), inSnapshotBefore);
  });
});
