/**
 * What users do that no happy path scripts: changes that would lose data (a
 * lowered retention, a new cleanup policy, a cql/ file that drops a column,
 * fewer partitions with the state lost, a restore of records past their
 * topic's retention), shown by npm run plan, refused by deploy and then
 * allowed; a volume restored by hand; a stop right after a burst of writes, a
 * kill without a clean shutdown, the Docker engine restarted under the
 * stack, the state deleted, a deploy killed with -9 at several moments, a
 * damaged state file, a lock left by a process whose pid is now another's,
 * and SIGTERM to deploy and stop. Each time, every message and row the
 * test's own clients wrote is counted afterwards. The cases run in order on
 * one stack, each starting from what the one before left, so that a fault
 * costs one deploy and faults meet as they would on a user's machine (a
 * deploy killed right after the services were killed, and again, and again).
 * Needs what the other e2e files need, plus root and a local dockerd (the
 * engine is restarted once).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, rmSync, truncateSync, writeFileSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { APP_ENTRIES, copyProject, environmentWithoutSettings } from "../../test-support/project";
import { Steps, type StepResult } from "./steps";
import {
  columnsOf,
  messageCount,
  messagesBefore,
  produceAt,
  produceMany,
  rowCount,
  rowsWithValue,
  topicConfig,
  topicsAsReported,
  withCassandra,
  writeRows,
} from "./clients";
import { offlineEnvironment } from "../../test-support/offline-env";
import { restartDockerEngine } from "../../test-support/docker-engine";
import { waitUntil } from "../../test-support/wait";
import { docker } from "../../lib/adapters/docker/docker-cli";
import { planExitCodes as planExitCodesIn, requireEmptyEngine } from "./stack-checks";
import { npmScript as npm } from "../../test-support/command";
import { leftoverProcesses } from "../../test-support/processes";

const STACKS = ["volumes", "network", "kafka", "cassandra", "topics", "schema"];
const BOOTSTRAP = "127.0.0.1:9092";
const CQL = "127.0.0.1:9042";
const MESSAGES = "twitch-chat-messages";
const STATS = "channel-stats";
const CHANNEL = "durability";
const DEPLOY = 420;
const STOP = 240;
const QUICK = 90;

const project = copyProject(APP_ENTRIES, "chatbattle-reliability-");
/**
 * The topics, declared in a TOPICS_FILE the cases change as a user edits
 * declarations: the seed's two, twitch-chat-messages with segment.ms of one
 * day, so that records three days old sit in a segment of their own once a
 * newer one arrives, as they would on a stack that has run for days.
 */
const topicsFile = join(project.dir, "topics.json");
const DAY_MS = 86_400_000;
type Declared = { name: string; partitions: number; config: Record<string, string> };
const SEED_TOPICS: readonly Declared[] = [
  {
    name: MESSAGES,
    partitions: 3,
    config: { "retention.ms": String(7 * DAY_MS), "cleanup.policy": "delete", "segment.ms": String(DAY_MS) },
  },
  {
    name: STATS,
    partitions: 3,
    config: { "retention.ms": String(DAY_MS), "cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1" },
  },
];
/** Declares the seed's topics with `change` applied to them (a topic it maps to undefined is no longer declared). */
function declareTopics(change: (topic: Declared) => Declared | undefined = (t) => t): void {
  writeFileSync(topicsFile, JSON.stringify(SEED_TOPICS.map((t) => change(structuredClone(t))).filter(Boolean)));
}
declareTopics();
const env = {
  ...environmentWithoutSettings(),
  ...offlineEnvironment(),
  CHECKPOINT_DISABLE: "1",
  FORCE_COLOR: "0",
  TOPICS_FILE: topicsFile,
};
const steps = new Steps(project.dir, env);
const planExitCodes = () => planExitCodesIn(project.dir, STACKS, env);
const allPlansEmpty = Object.fromEntries(STACKS.map((s) => [s, 0]));

type Counts = { messages: number; stats: number; rows: number };

async function counts(): Promise<Counts> {
  return {
    messages: await messageCount(BOOTSTRAP, MESSAGES),
    stats: await messageCount(BOOTSTRAP, STATS),
    rows: await withCassandra(CQL, (client) => rowCount(client, CHANNEL)),
  };
}

/**
 * Writes `n` messages (acks=1) and `n` rows, each acknowledged, and returns what
 * the stack must hold from then on. Each step compares with what it found before
 * it, so that one loss fails the step that lost it and no other.
 */
async function write(n: number): Promise<Counts> {
  const before = await counts();
  await produceMany(BOOTSTRAP, MESSAGES, n, `burst-${Date.now()}`);
  // Rows are keyed by (channel, timestamp = index, uuid()): every write adds n rows.
  await withCassandra(CQL, (client) => writeRows(client, CHANNEL, n));
  return { ...before, messages: before.messages + n, rows: before.rows + n };
}

function expectSuccess(result: StepResult) {
  expect(result.status, result.output.slice(-4000)).toBe(0);
}

const noLockLeft = () =>
  expect(readdirSync(join(project.dir, "state")).filter((f) => f.endsWith(".lock.info"))).toEqual([]);

/** Waits, every 200 ms, until `condition` holds; fails after 180 s. */
const until = (condition: () => boolean, what: string) => waitUntil(condition, what, 180);

/** Waits, every second, until `condition` resolves true; fails after `seconds`. */
async function waitUntilAsync(condition: () => Promise<boolean>, what: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited ${seconds} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const health = (name: string) =>
  docker(["inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{end}}", name], { allowFailure: true });

beforeAll(requireEmptyEngine);

afterAll(async () => {
  await steps.run("clean-up: npm run reset", npm("reset", "--yes"), QUICK).catch(() => undefined);
  project.remove();
  console.log(`reliability step times:\n${steps.table()}`);
});

const GATE_CHANNEL = "gate";
const CQL_DIR = join(project.dir, "cql");
/** Prints a command's lines from `from` on, for the log a reader checks the wording in. */
const show = (what: string, output: string, from = "") =>
  console.log(`reliability: ${what}:\n${from && output.includes(from) ? output.slice(output.indexOf(from)) : output}`);
const json = (output: string) => JSON.parse(output.slice(output.indexOf("{"), output.lastIndexOf("}") + 1));
/** Restarts the broker: it runs its first retention check 30 s after it starts, where a running one waits up to 5 minutes. */
async function restartBroker(): Promise<void> {
  docker(["restart", "chatbattle-kafka"], { deadlineSeconds: 120 });
  await until(() => health("chatbattle-kafka") === "healthy", "chatbattle-kafka healthy again");
}

describe("1. the data-loss gate, against the real broker and Cassandra", () => {
  const old = Date.now() - 3 * DAY_MS;

  it("deploys cold; takes 1,000 messages three days old, then 500 new, 300 stats and 300 rows; saves a snapshot", async () => {
    expectSuccess(await steps.run("cold deploy", npm("deploy"), DEPLOY));
    await produceAt(BOOTSTRAP, MESSAGES, 1000, "old", old);
    await produceMany(BOOTSTRAP, MESSAGES, 500, "new");
    await produceMany(BOOTSTRAP, STATS, 300, "stats");
    await withCassandra(CQL, (client) => writeRows(client, GATE_CHANNEL, 300));
    expectSuccess(await steps.run("npm run snapshot -- save gate", npm("snapshot", "save", "gate"), QUICK));
    expect(await counts()).toMatchObject({ messages: 1500, stats: 300 });
  });

  it("npm run plan: no change, then more partitions, exit 0; a topic no longer declared, exit 3; as text and as JSON", async () => {
    const none = await steps.run("npm run plan (no change)", npm("plan"), QUICK);
    show("npm run plan with nothing to do", none.output);
    expect(none.status).toBe(0);
    const noneJson = await steps.run("npm run plan -- --json (no change)", npm("plan", "--json"), QUICK);
    expect(noneJson.status).toBe(0);
    expect(json(noneJson.output)).toMatchObject({
      losesData: false,
      summary: { "loses-data": 0, restarts: 0, safe: 0 },
    });

    const raised = await steps
      .withEnv({ KAFKA_TOPIC_PARTITIONS: "4" })
      .run("npm run plan (4 partitions)", npm("plan"), QUICK);
    show("npm run plan with KAFKA_TOPIC_PARTITIONS=4", raised.output);
    expect(raised.status).toBe(0);
    expect(raised.output).toMatch(/^ +topic twitch-chat-messages: partitions 3 → 4\.$/m);
    const raisedJson = await steps
      .withEnv({ KAFKA_TOPIC_PARTITIONS: "4" })
      .run("npm run plan -- --json (4 partitions)", npm("plan", "--json"), QUICK);
    expect(raisedJson.status).toBe(0);
    expect(json(raisedJson.output).stacks.find((s: { stack: string }) => s.stack === "topics").changes).toContainEqual({
      class: "safe",
      subject: "topic twitch-chat-messages",
      change: "partitions 3 → 4",
    });

    declareTopics((t) => (t.name === STATS ? undefined : t));
    try {
      const removed = await steps.run("npm run plan (a topic no longer declared)", npm("plan"), QUICK);
      expect(removed.status).toBe(3);
      expect(removed.output).toContain(
        "topic channel-stats: would be deleted, because no longer declared. It holds 3 partition(s), 300 message(s).",
      );
    } finally {
      declareTopics();
    }
    expect((await topicsAsReported(BOOTSTRAP))[MESSAGES].partitions).toBe(3);
    expect(await counts()).toMatchObject({ messages: 1500, stats: 300 });
  });

  it("a lowered retention and a new cleanup policy: plan shows them (exit 3), deploy refuses with the counts and the records stay; allowed, the broker deletes exactly the 1,000 it printed", async () => {
    const olderThanADay = await messagesBefore(BOOTSTRAP, MESSAGES, Date.now() - DAY_MS);
    expect(olderThanADay).toBe(1000);
    declareTopics((t) =>
      t.name === MESSAGES
        ? { ...t, config: { ...t.config, "retention.ms": String(DAY_MS) } }
        : { ...t, config: { ...t.config, "cleanup.policy": "delete" } },
    );
    const plan = await steps.run("npm run plan (lower retention, new policy)", npm("plan"), QUICK);
    show("npm run plan with a lowered retention and a new cleanup policy", plan.output);
    expect(plan.status).toBe(3);
    const planJson = await steps.run(
      "npm run plan -- --json (lower retention, new policy)",
      npm("plan", "--json"),
      QUICK,
    );
    expect(planJson.status).toBe(3);
    const topics = json(planJson.output).stacks.find((s: { stack: string }) => s.stack === "topics");
    expect(topics.changes).toContainEqual(
      expect.objectContaining({
        class: "loses-data",
        subject: `topic ${MESSAGES}`,
        lost: expect.objectContaining({ records: 1000, exact: true }),
      }),
    );

    const refused = await steps.run(
      "deploy with a lowered retention and a new policy (refused)",
      npm("deploy"),
      DEPLOY,
    );
    show("the refusal of a lowered retention and a new cleanup policy", refused.output, "deploy: refused");
    expect(refused.status).toBe(1);
    expect(refused.output).toContain(
      "  topic twitch-chat-messages (topics stack): retention.ms 604800000 (7 days) → 86400000 (1 day): the broker deletes what is past 1 day, a segment at a time. " +
        "1000 of its 1500 message(s) are older than 1 day now: they go at the broker's next retention checks, each once the newest message of its segment is that old too; the others as they reach that age.",
    );
    expect(refused.output).toContain(
      "  topic channel-stats (topics stack): cleanup.policy compact → delete: retention.ms 86400000 (1 day) applies from now: the broker deletes what is past 1 day, a segment at a time. " +
        "0 of its 300 message(s) are older than 1 day now: they go at the broker's next retention checks, each once the newest message of its segment is that old too; the others as they reach that age.",
    );
    expect(refused.output).toContain("deploy: nothing was applied (see above).");
    expect(await topicConfig(BOOTSTRAP, MESSAGES)).toMatchObject({ "retention.ms": String(7 * DAY_MS) });
    expect(await topicConfig(BOOTSTRAP, STATS)).toMatchObject({ "cleanup.policy": "compact" });

    declareTopics((t) => (t.name === MESSAGES ? { ...t, config: { ...t.config, "retention.ms": String(DAY_MS) } } : t));
    const allowed = await steps.run(
      "deploy --allow-data-loss (lower retention)",
      npm("deploy", "--allow-data-loss"),
      DEPLOY,
    );
    show("deploy --allow-data-loss with a lowered retention", allowed.output, "deploy: --allow-data-loss");
    expectSuccess(allowed);
    const printed = Number(
      /topic twitch-chat-messages \(topics stack\): retention\.ms .* (\d+) of its 1500 message\(s\) are older than 1 day now/.exec(
        allowed.output,
      )?.[1],
    );
    expect(printed).toBe(1000);
    expect(await topicConfig(BOOTSTRAP, MESSAGES)).toMatchObject({ "retention.ms": String(DAY_MS) });
    await restartBroker();
    await waitUntilAsync(
      async () => (await messageCount(BOOTSTRAP, MESSAGES)) === 1500 - printed,
      "the broker to delete the 1,000 messages past the new retention",
      180,
    );
    expect(await messagesBefore(BOOTSTRAP, MESSAGES, Date.now() - DAY_MS)).toBe(0);
  });

  it("a snapshot restore with records past the topic's retention: refused with their count, nothing replaced; allowed, exactly those are past it", async () => {
    const refused = await steps.run(
      "snapshot restore of old records (refused)",
      npm("snapshot", "restore", "gate", "--replace"),
      QUICK,
    );
    show("the refusal of a restore of records past retention", refused.output);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain("snapshot: refused: this restore would lose records, so nothing was restored:");
    expect(refused.output).toContain(
      "  topic twitch-chat-messages: 1000 of the snapshot's 1500 record(s) are older than its retention.ms (1 day)",
    );
    expect(refused.output).toContain("npm run snapshot -- restore gate --replace --allow-data-loss");
    expect(await counts()).toMatchObject({ messages: 500, stats: 300 });
    const allowed = await steps.run(
      "snapshot restore --allow-data-loss",
      npm("snapshot", "restore", "gate", "--replace", "--allow-data-loss"),
      QUICK,
    );
    expectSuccess(allowed);
    expect(allowed.output).toContain("--allow-data-loss: going ahead; the broker deletes these soon after:");
    expect(await counts()).toMatchObject({ messages: 1500, stats: 300 });
    // The records the broker now holds past the retention are exactly those printed. They share a segment
    // with newer ones, so the broker deletes them with it, a day on; the seed's retention keeps them instead.
    expect(await messagesBefore(BOOTSTRAP, MESSAGES, Date.now() - DAY_MS)).toBe(1000);
    declareTopics();
    expectSuccess(await steps.run("deploy with the seed's retention back", npm("deploy"), DEPLOY));
  });

  it("a cql/ file that drops a column: plan shows it (exit 3), deploy and schema:apply refuse with the rows that hold a value, which stay; allowed, the column goes with exactly those", async () => {
    writeFileSync(
      join(CQL_DIR, "003_add_moderation.cql"),
      "ALTER TABLE {{keyspace}}.raw_chat_messages ADD moderation text;\n",
    );
    const added = await steps.run("deploy a cql/ file that adds a column", npm("deploy"), DEPLOY);
    expectSuccess(added);
    expect(added.output).not.toContain("refused");
    // 120 rows of the gate channel get a value in the new column, by their keys.
    const keyed = await withCassandra(CQL, (client) =>
      client.execute(
        "SELECT timestamp, message_id FROM twitch_chat.raw_chat_messages WHERE channel_id = ? LIMIT 120",
        [GATE_CHANNEL],
        { prepare: true },
      ),
    );
    await withCassandra(CQL, (client) =>
      Promise.all(
        keyed.rows.map((r) =>
          client.execute(
            "UPDATE twitch_chat.raw_chat_messages SET moderation = 'ok' WHERE channel_id = ? AND timestamp = ? AND message_id = ?",
            [GATE_CHANNEL, r.timestamp, r.message_id],
            { prepare: true },
          ),
        ),
      ),
    );
    const holding = await withCassandra(CQL, (client) =>
      rowsWithValue(client, "twitch_chat.raw_chat_messages", "moderation"),
    );
    expect(holding).toBe(120);
    const rowsBefore = await withCassandra(CQL, (client) => rowCount(client, GATE_CHANNEL));

    writeFileSync(
      join(CQL_DIR, "004_drop_moderation.cql"),
      "-- The moderation flag moved to its own table.\nALTER TABLE {{keyspace}}.raw_chat_messages DROP moderation;\n",
    );
    const plan = await steps.run("npm run plan (a cql/ file that drops a column)", npm("plan"), QUICK);
    show("npm run plan with a cql/ file that drops a column", plan.output);
    expect(plan.status).toBe(3);
    expect(plan.output).toMatch(
      /cql\/004_drop_moderation\.cql statement 1 \(line 2\): ALTER TABLE twitch_chat\.raw_chat_messages DROP moderation: drops column moderation of twitch_chat\.raw_chat_messages with its values\. 120 of the table's \d+ row\(s\) hold a value in it\./,
    );
    const planJson = await steps.run(
      "npm run plan -- --json (a cql/ file that drops a column)",
      npm("plan", "--json"),
      QUICK,
    );
    expect(planJson.status).toBe(3);
    expect(json(planJson.output).stacks.find((s: { stack: string }) => s.stack === "schema").changes).toContainEqual(
      expect.objectContaining({
        class: "loses-data",
        subject: "cql/004_drop_moderation.cql statement 1 (line 2)",
        lost: expect.objectContaining({ rows: 120, exact: true }),
      }),
    );

    const refused = await steps.run("deploy with a cql/ file that drops a column (refused)", npm("deploy"), DEPLOY);
    show("the refusal of a DROP column", refused.output, "deploy: refused");
    expect(refused.status).toBe(1);
    expect(refused.output).toMatch(
      /^ {2}cql\/004_drop_moderation\.cql statement 1 \(line 2\) \(schema stack\): ALTER TABLE twitch_chat\.raw_chat_messages DROP moderation: drops column moderation of twitch_chat\.raw_chat_messages with its values\. 120 of the table's \d+ row\(s\) hold a value in it\.$/m,
    );
    const byHand = await steps.run("npm run schema:apply (refused)", npm("schema:apply"), QUICK);
    expect(byHand.status).toBe(1);
    expect(byHand.output).toContain("npm run schema:apply -- --allow-data-loss");
    expect(await withCassandra(CQL, (client) => columnsOf(client, "twitch_chat", "raw_chat_messages"))).toContain(
      "moderation",
    );
    expect(
      await withCassandra(CQL, (client) => rowsWithValue(client, "twitch_chat.raw_chat_messages", "moderation")),
    ).toBe(120);

    const allowed = await steps.run(
      "deploy --allow-data-loss (drop a column)",
      npm("deploy", "--allow-data-loss"),
      DEPLOY,
    );
    show("deploy --allow-data-loss with a cql/ file that drops a column", allowed.output, "deploy: --allow-data-loss");
    expectSuccess(allowed);
    expect(Number(/(\d+) of the table's \d+ row\(s\) hold a value in it/.exec(allowed.output)?.[1])).toBe(holding);
    expect(await withCassandra(CQL, (client) => columnsOf(client, "twitch_chat", "raw_chat_messages"))).not.toContain(
      "moderation",
    );
    expect(await withCassandra(CQL, (client) => rowCount(client, GATE_CHANNEL))).toBe(rowsBefore);
  });

  it("state/ lost and fewer partitions declared: deploy refuses to replace the adopted topic and changes nothing; allowed, it adopts the network, volumes and topics, creating none of them twice, and loses exactly what it printed", async () => {
    const ids = ["chatbattle-kafka", "chatbattle-cassandra"].map((c) => docker(["inspect", "--format", "{{.Id}}", c]));
    const networkId = docker(["network", "inspect", "--format", "{{.Id}}", "chatbattle-network"]);
    const before = await counts();
    rmSync(join(project.dir, "state"), { recursive: true, force: true });
    declareTopics((t) => (t.name === STATS ? { ...t, partitions: 2 } : t));
    const refused = await steps.run("deploy with state/ lost and fewer partitions (refused)", npm("deploy"), DEPLOY);
    show("the refusal with state/ lost", refused.output, "deploy: refused");
    expect(refused.status).toBe(1);
    expect(refused.output).toContain(
      "  topic channel-stats (topics stack): exists but no state recorded it, so it is adopted, and then would be deleted and created again, empty, because partitions 3 → 2; Kafka cannot lower a topic's partitions. It holds 3 partition(s), 300 message(s).",
    );
    expect(
      ["chatbattle-kafka", "chatbattle-cassandra"].map((c) => docker(["inspect", "--format", "{{.Id}}", c])),
    ).toEqual(ids);
    expect(await counts()).toEqual(before);

    const allowed = await steps.run(
      "deploy --allow-data-loss with state/ lost",
      npm("deploy", "--allow-data-loss"),
      DEPLOY,
    );
    expectSuccess(allowed);
    const printed = Number(
      /topic channel-stats \(topics stack\): exists but no state recorded it.* It holds 3 partition\(s\), (\d+) message\(s\)\./.exec(
        allowed.output,
      )?.[1],
    );
    expect(printed).toBe(before.stats);
    expect(allowed.output).toMatch(/^network +adopting chatbattle-network: /m);
    expect(allowed.output).toMatch(
      /^topics +adopting (channel-stats, twitch-chat-messages|twitch-chat-messages, channel-stats): /m,
    );
    expect(
      docker(["network", "ls", "--filter", "name=chatbattle-network", "--format", "{{.ID}}"]).split("\n"),
    ).toHaveLength(1);
    expect(docker(["network", "inspect", "--format", "{{.Id}}", "chatbattle-network"])).toBe(networkId);
    expect(await counts()).toEqual({ ...before, stats: 0 });
    expect((await topicsAsReported(BOOTSTRAP))[STATS].partitions).toBe(2);
    declareTopics();
    expectSuccess(await steps.run("deploy back to 3 partitions (a raise)", npm("deploy"), DEPLOY));
    await produceMany(BOOTSTRAP, STATS, 300, "stats-again");
  });

  it("a volume restored by hand, without the project's label, is adopted and kept when the state is lost: every row is there", async () => {
    const before = await counts();
    expectSuccess(await steps.run("npm run stop (before restoring a volume by hand)", npm("stop"), STOP));
    rmSync(join(project.dir, "state"), { recursive: true, force: true });
    // As a user restores a backup: a new volume of the same name, no label, the files copied in.
    const image = (env as Record<string, string | undefined>).CASSANDRA_IMAGE ?? "cassandra:4.1.11";
    const copy = (from: string, to: string) =>
      docker(
        [
          "run",
          "--rm",
          "-u",
          "0",
          "-v",
          `${from}:/from`,
          "-v",
          `${to}:/to`,
          "--entrypoint",
          "cp",
          image,
          "-a",
          "/from/.",
          "/to/",
        ],
        { deadlineSeconds: 120 },
      );
    docker(["volume", "create", "chatbattle-restore-scratch"]);
    copy("chatbattle-cassandra-data", "chatbattle-restore-scratch");
    docker(["volume", "rm", "chatbattle-cassandra-data"]);
    docker(["volume", "create", "chatbattle-cassandra-data"]);
    copy("chatbattle-restore-scratch", "chatbattle-cassandra-data");
    docker(["volume", "rm", "chatbattle-restore-scratch"]);
    expect(docker(["volume", "inspect", "--format", "{{json .Labels}}", "chatbattle-cassandra-data"])).not.toContain(
      "com.chatbattle.project",
    );

    const deploy = await steps.run("deploy with a volume restored by hand and state/ lost", npm("deploy"), DEPLOY);
    show(
      "deploy with a volume restored by hand",
      deploy.output
        .split("\n")
        .filter((l) => /adopting|replaced|refused|deploy:/.test(l))
        .join("\n"),
    );
    expectSuccess(deploy);
    expect(deploy.output).toMatch(/^volumes +adopting .*chatbattle-cassandra-data/m);
    expect(deploy.output).not.toMatch(/docker_volume\.\w+: Destroying/);
    expect(await counts()).toEqual(before);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });

  it("takes over a lock left by a process whose pid is now another program's (after a restart), and says how to clear one that is not", async () => {
    const dockerd = Number(spawnSync("pgrep", ["-x", "dockerd"], { encoding: "utf8" }).stdout.trim().split("\n")[0]);
    const lock = join(project.dir, ".chatbattle.lock");
    writeFileSync(
      lock,
      JSON.stringify({ pid: dockerd, command: "npm run deploy", startedAt: "before the restart", processStart: "1" }),
    );
    const deploy = await steps.run("deploy with a lock left from before a restart", npm("deploy"), DEPLOY);
    expectSuccess(deploy);
    expect(existsSync(lock)).toBe(false);
  });
});

describe("2. durability and interruptions", () => {
  /** What the stack must hold from the last write on. */
  let expected: Counts;

  it("keeps 20,000 messages and 20,000 rows written just before npm run stop, also when SIGTERM stops it while it removes the containers (exit 143) and it is run again", async () => {
    expected = await write(20_000);
    const stop = steps.start(npm("stop"), STOP);
    try {
      await until(() => /Destroying\.\.\./.test(stop.output()), "stop destroying");
      // To npm alone, as `timeout` does: npm passes it on to the command.
      process.kill(stop.pid, "SIGTERM");
    } finally {
      await stop.done.catch(() => undefined);
    }
    const interrupted = await stop.done;
    steps.timings.push({ step: "npm run stop right after 20,000 writes (SIGTERM)", seconds: interrupted.seconds });
    expect(interrupted.status, interrupted.output.slice(-3000)).toBe(143);
    expect(interrupted.output).toContain("stop: SIGTERM received; waiting for");
    noLockLeft();
    const again = await steps.run("stop again after SIGTERM", npm("stop"), STOP);
    expectSuccess(again);
    // Each container's clean shutdown, as Terraform timed its removal (grace period: 60 s each).
    const shutdowns = [interrupted.output, again.output].flatMap((output) => [
      ...output.matchAll(
        /^(kafka|cassandra) +docker_container\.(\w+?)_service_container_\w+: Destruction complete after (\d+)s/gm,
      ),
    ]);
    console.log(`reliability: clean shutdown after writes (s): ${shutdowns.map((m) => `${m[2]} ${m[3]}`).join(", ")}`);
    expect(docker(["ps", "--filter", "label=com.chatbattle.project", "--format", "{{.Names}}"])).toBe("");
  });

  it("to npm run deploy while the services start: Terraform saves its state, exit 143, the next deploy finishes with every message and row", async () => {
    const deploy = steps.start(npm("deploy"), DEPLOY);
    try {
      await until(() => health("chatbattle-cassandra") === "starting", "Cassandra starting");
      process.kill(deploy.pid, "SIGTERM");
    } finally {
      await deploy.done.catch(() => undefined);
    }
    const result = await deploy.done;
    expect(result.status, result.output.slice(-3000)).toBe(143);
    expect(result.output).toContain("deploy: SIGTERM received; waiting for");
    expect(result.output).toContain("deploy: interrupted; Terraform saved what it had done.");
    noLockLeft();
    expect(existsSync(join(project.dir, ".chatbattle.lock"))).toBe(false);
    expectSuccess(await steps.run("deploy after SIGTERM", npm("deploy"), DEPLOY));
    expect(await counts()).toEqual(expected);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });

  /** kill -9 of npm run deploy at each of these moments, one deploy after another, with no manual step between. */
  const moments: [string, (output: () => string) => boolean][] = [
    ["early, before any container", () => true],
    ["while the containers start", () => health("chatbattle-cassandra") === "starting"],
    ["while the topics apply", (output) => /^topics {2,}\S/m.test(output())],
  ];
  it("keeps them when Kafka and Cassandra are killed without a clean shutdown, and converges after kill -9 of npm run deploy early, while the containers start and while the topics apply", async () => {
    expected = await write(20_000);
    docker(["kill", "--signal", "KILL", "chatbattle-kafka", "chatbattle-cassandra"]);
    for (const [moment, when] of moments) {
      const killed = steps.start(npm("deploy"), DEPLOY);
      try {
        await until(() => when(killed.output) || /deploy: done/.test(killed.output()), `the moment "${moment}"`);
        killed.signal("SIGKILL");
      } finally {
        await killed.done.catch(() => undefined);
      }
      steps.timings.push({ step: `deploy killed -9 ${moment}`, seconds: (await killed.done).seconds });
    }
    const result = await steps.run("deploy after kill -9 of both services and of three deploys", npm("deploy"), DEPLOY);
    expectSuccess(result);
    // What the kills left running (Terraform, its provider plugins) was ended by that deploy.
    expect(leftoverProcesses(project.dir)).toEqual([]);
    expect(await counts()).toEqual(expected);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });

  it("deploys first time, all data there, when started at once after the Docker engine restarted", async () => {
    const expected = await counts();
    await restartDockerEngine();
    // Pre-flight at once, while the containers restart: their ports are the stack's, never another program's.
    const preflight = await steps.run("npm run preflight while the engine's containers start", npm("preflight"), QUICK);
    console.log(
      `reliability: npm run preflight right after the engine restarted (exit ${preflight.status}):\n${preflight.output}`,
    );
    expect(preflight.output).not.toContain("in use by another program");
    expect(preflight.status).toBe(0);
    const deploy = steps.start(npm("deploy"), DEPLOY);
    // What health says while the services start again.
    const meanwhile = await steps.run("npm run health while the engine's containers start", npm("health"), QUICK);
    console.log(
      `reliability: npm run health right after the engine restarted (exit ${meanwhile.status}):\n${meanwhile.output}`,
    );
    const result = await deploy.done;
    steps.timings.push({ step: "deploy right after an engine restart", seconds: result.seconds });
    console.log(
      `reliability: deploy after the engine restart:\n${result.output
        .split("\n")
        .filter((l) => /waiting for|ready after|deploy:/.test(l))
        .join("\n")}`,
    );
    expectSuccess(result);
    expect(await counts()).toEqual(expected);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });

  it("stops at a damaged state file before changing anything, and the way back it names works", async () => {
    const expected = await counts();
    const file = join(project.dir, "state", "topics.tfstate");
    const ids = ["chatbattle-kafka", "chatbattle-cassandra"].map((c) => docker(["inspect", "--format", "{{.Id}}", c]));
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const refused = await steps.run("deploy with a damaged state file", npm("deploy"), DEPLOY);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain("the topics stack's state state/topics.tfstate is damaged (");
    expect(refused.output).toContain("nothing was changed");
    expect(
      ["chatbattle-kafka", "chatbattle-cassandra"].map((c) => docker(["inspect", "--format", "{{.Id}}", c])),
    ).toEqual(ids);
    // The second way it names: move the file aside; the deploy adopts the topics.
    const move = /`mv (\S+) (\S+)`/.exec(refused.output);
    expect(move).not.toBeNull();
    rmSync(join(project.dir, move![1]), { force: true });
    expectSuccess(await steps.run("deploy after moving the damaged state aside", npm("deploy"), DEPLOY));
    expect(await counts()).toEqual(expected);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });
});
