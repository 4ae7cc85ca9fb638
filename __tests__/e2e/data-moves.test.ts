/**
 * Data that outlives the stack's shape, end to end with the user's commands
 * in a copy of the project: snapshots saved, listed, refused when damaged or
 * when they would mix with data, restored with --replace; and npm run
 * migrate from ZooKeeper with one broker to KRaft with three and back (that
 * one killed with -9 during its deploy and carried on by the next migrate),
 * each time checked with the test's own clients: every record (partition, key,
 * value, headers, timestamp), each consumer group's next record and every
 * row (values, write times, expiry) the same as before. Runs on an empty
 * engine (files run one at a time) and removes what it created.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, existsSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { APP_ENTRIES, copyProject, environmentWithoutSettings } from "../helpers/project";
import { Steps } from "./steps";
import { offlineEnvironment } from "../../test-support/offline-env";
import { requireEmptyEngine } from "./stack-checks";
import { dataIdentity, describeIdentity, expectSameData, SAMPLE_GROUPS, writeSampleData, type DataIdentity } from "./data-identity";
import { npmScript as npm } from "../../test-support/command";

const DEPLOY = 420;
const MIGRATE = 900;
const QUICK = 120;
const CQL = "127.0.0.1:9042";
const ONE_BROKER = ["127.0.0.1:9092"];
const THREE_BROKERS = ["127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094"];

// No KAFKA_MODE or KAFKA_BROKERS here: the stack starts on the defaults, and migrate writes .env.
const env = { ...environmentWithoutSettings(), ...offlineEnvironment(), CHECKPOINT_DISABLE: "1", FORCE_COLOR: "0" };
const project = copyProject(APP_ENTRIES, "chatbattle-e2e-data-");
const steps = new Steps(project.dir, env);
const snapshots = join(project.dir, "snapshots");
let original: DataIdentity;

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
    const first = JSON.parse(gunzipSync(readFileSync(join(snapshots, "before", "kafka", "twitch-chat-messages.jsonl.gz"))).toString().split("\n")[0]);
    expect(Object.keys(first)).toEqual(["partition", "offset", "timestamp", "key", "value", "headers"]);
  });

  it("refuses to restore over data without --replace, naming what is there, and changes nothing", async () => {
    const refused = await steps.run("npm run snapshot -- restore before (data there)", npm("snapshot", "restore", "before"), QUICK);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain("the stack already holds data that the snapshot would mix with: topic twitch-chat-messages: 6,000 record(s); topic channel-stats: 4 record(s); table twitch_chat.raw_chat_messages: has rows. Nothing was restored.");
    expect(refused.output).toContain("npm run snapshot -- restore before --replace");
    expectSameData(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS), original);
  });

  it("refuses a damaged snapshot and one with more partitions than the topics have, before writing anything", async () => {
    cpSync(join(snapshots, "before"), join(snapshots, "damaged"), { recursive: true });
    const file = join(snapshots, "damaged", "kafka", "channel-stats.jsonl.gz");
    writeFileSync(file, gzipSync(gunzipSync(readFileSync(file)).toString().replace('"MTA="', '"OTk="')));
    const damaged = await steps.run("restore a damaged snapshot", npm("snapshot", "restore", "damaged", "--replace"), QUICK);
    expect(damaged.status).toBe(1);
    expect(damaged.output).toContain("snapshot damaged is damaged: kafka/channel-stats.jsonl.gz does not match its checksum (the file changed or is damaged). Nothing was restored.");

    cpSync(join(snapshots, "before"), join(snapshots, "wider"), { recursive: true });
    const manifestPath = join(snapshots, "wider", "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    manifest.topics[0].partitions = 5;
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const wider = await steps.run("restore into fewer partitions", npm("snapshot", "restore", "wider", "--replace"), QUICK);
    expect(wider.status).toBe(1);
    expect(wider.output).toContain("topic twitch-chat-messages has 3 partition(s) here and 5 in the snapshot: each record goes back to its own partition");
    expectSameData(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS), original);
    for (const name of ["damaged", "wider"]) await steps.succeed(`npm run snapshot -- delete ${name}`, npm("snapshot", "delete", name), QUICK);
    expect(readdirSync(snapshots)).toEqual(["before"]);
  });
});

describe("npm run migrate", () => {
  it("checks the new stack first: with a port it needs taken, it stops before saving or removing anything", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(9093, "127.0.0.1", resolve));
    try {
      const refused = await steps.run("npm run migrate with port 9093 taken", npm("migrate", "--kafka-mode", "kraft", "--brokers", "3"), QUICK);
      expect(refused.status).toBe(1);
      expect(refused.output).toMatch(/^FAIL +port 9093 +127\.0\.0\.1:9093 is already in use by another program/m);
      expect(refused.output).toContain("migrate: the new stack would not deploy (see above); nothing was changed.");
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    expect(readdirSync(snapshots)).toEqual(["before"]);
    expectSameData(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS), original);
  });

  it("moves ZooKeeper x1 to KRaft x3 with every record, group position and row the same", async () => {
    const migrate = await steps.run("npm run migrate -- --kafka-mode kraft --brokers 3", npm("migrate", "--kafka-mode", "kraft", "--brokers", "3"), MIGRATE);
    console.log(`data moves: npm run migrate to kraft x3 (its own lines)\n${migrate.output.split("\n").filter((l) => /^(migrate|snapshot|restore):/.test(l)).join("\n")}`);
    expect(migrate.status, migrate.output.slice(-4000)).toBe(0);
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
      while (!/^(kafka|cassandra) +docker_container\.\S+: Creating/m.test(killed.output()) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      killed.signal("SIGKILL");
    } finally {
      await killed.done.catch(() => undefined);
    }
    expect(killed.output()).toContain("migrate: step 3 of 4: deploy with KAFKA_MODE=zookeeper with 1 broker(s)");
    expect(existsSync(join(project.dir, "state", "migration.json"))).toBe(true);
    // What a user may well do next: deploy. It finishes the stack and says the data is not back yet.
    const deploy = await steps.run("npm run deploy after migrate was killed", npm("deploy"), DEPLOY);
    expect(deploy.status, deploy.output.slice(-4000)).toBe(0);
    expect(deploy.output).toMatch(/^deploy: note: an npm run migrate to KAFKA_MODE=zookeeper with 1 broker\(s\) did not finish: its data is in the snapshot before-migrate-\S+ \(.*\) and not restored yet; npm run migrate carries it on\.$/m);
    const carried = await steps.run("npm run migrate (carries the killed one on)", npm("migrate"), MIGRATE);
    console.log(`data moves: the killed move, carried on\n${carried.output.split("\n").filter((l) => /^(migrate|restore):/.test(l)).join("\n")}`);
    expect(carried.status, carried.output.slice(-4000)).toBe(0);
    expect(carried.output).toContain("carrying it on");
    expect(existsSync(join(project.dir, "state", "migration.json"))).toBe(false);
    const back = await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS);
    console.log(`data moves: after the move back to zookeeper x1\n${describeIdentity(back)}`);
    expectSameData(back, original);
    expect((await steps.run("npm run health (zookeeper x1)", npm("health"), QUICK)).status).toBe(0);
    expect(readdirSync(snapshots).filter((n) => n.startsWith("before-migrate-"))).toHaveLength(2);
  });

  it("restores a snapshot over the stack's data with --replace, compacted topic included", async () => {
    await writeSampleData(ONE_BROKER, CQL, { records: 300, rows: 100 });
    expect(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS)).not.toEqual(original);
    const replace = await steps.run("npm run snapshot -- restore before --replace", npm("snapshot", "restore", "before", "--replace"), QUICK);
    console.log(`data moves: restore --replace\n${replace.output}`);
    expect(replace.status, replace.output).toBe(0);
    expect(replace.output).toMatch(/restore: done in [\d.]+ s: 6,004 records and 3,001 rows, every count as the manifest says/);
    expectSameData(await dataIdentity(ONE_BROKER, CQL, SAMPLE_GROUPS), original);
  });
});
