/**
 * What users do that no happy path scripts: a change that would lose a
 * topic's messages, a stop right after a burst of writes, a kill without a
 * clean shutdown, the Docker engine restarted under the stack, the state
 * deleted, a deploy killed with -9 at several moments, a damaged state file,
 * and SIGTERM to deploy and stop. Each time, every message and row the test's
 * own clients wrote is counted afterwards. Needs what the other e2e files
 * need, plus root and a local dockerd (the engine is restarted once).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { APP_ENTRIES, copyProject, environmentWithoutSettings } from "../helpers/project";
import { Steps, type StepResult } from "./steps";
import { messageCount, produceMany, rowCount, topicsAsReported, withCassandra, writeRows } from "./clients";
import { offlineEnvironment } from "../../test-support/offline-env";
import { restartDockerEngine } from "../../test-support/docker-engine";
import { waitUntil } from "../../test-support/wait";
import { docker } from "../../lib/adapters/docker/docker-cli";
import { planExitCodes as planExitCodesIn, requireEmptyEngine } from "./stack-checks";
import { npmScript as npm } from "../../test-support/command";

const STACKS = ["volumes", "network", "kafka", "cassandra", "topics", "schema"];
const BOOTSTRAP = "127.0.0.1:9092";
const CQL = "127.0.0.1:9042";
const MESSAGES = "twitch-chat-messages";
const STATS = "channel-stats";
const CHANNEL = "durability";
const DEPLOY = 420;
const STOP = 240;
const QUICK = 90;

const env = { ...environmentWithoutSettings(), ...offlineEnvironment(), CHECKPOINT_DISABLE: "1", FORCE_COLOR: "0" };
const project = copyProject(APP_ENTRIES, "chatbattle-reliability-");
const steps = new Steps(project.dir, env);
const planExitCodes = () => planExitCodesIn(project.dir, STACKS, env);
const allPlansEmpty = Object.fromEntries(STACKS.map((s) => [s, 0]));
const topicsFile = join(project.dir, "lib", "topics.ts");
const originalTopics = readFileSync(topicsFile, "utf8");

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

const noLockLeft = () => expect(readdirSync(join(project.dir, "state")).filter((f) => f.endsWith(".lock.info"))).toEqual([]);

/** Waits, every 200 ms, until `condition` holds; fails after 180 s. */
const until = (condition: () => boolean, what: string) => waitUntil(condition, what, 180);

const health = (name: string) => docker(["inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{end}}", name], { allowFailure: true });

beforeAll(requireEmptyEngine);

afterAll(async () => {
  writeFileSync(topicsFile, originalTopics);
  await steps.run("clean-up: npm run reset", npm("reset", "--yes"), QUICK).catch(() => undefined);
  project.remove();
  console.log(`reliability step times:\n${steps.table()}`);
});

describe("1. the data-loss guard, against the real broker", () => {
  it("deploys cold and takes 2,000 and 300 messages", async () => {
    expectSuccess(await steps.run("cold deploy", npm("deploy"), DEPLOY));
    await produceMany(BOOTSTRAP, MESSAGES, 2000, "guard");
    await produceMany(BOOTSTRAP, STATS, 300, "guard");
  });

  it("refuses fewer partitions, applies nothing, and the messages stay", async () => {
    const result = await steps.withEnv({ KAFKA_TOPIC_PARTITIONS: "2" }).run("deploy with fewer partitions (refused)", npm("deploy"), DEPLOY);
    console.log(`the guard's output:\n${result.output.slice(result.output.indexOf("deploy: refused"))}`);
    expect(result.status).toBe(1);
    expect(result.output).toContain(
      "  topic twitch-chat-messages (topics stack): would be deleted and created again, empty, because partitions 3 → 2; Kafka cannot lower a topic's partitions. It holds 3 partition(s), 2000 message(s).",
    );
    expect(result.output).toContain("  topic channel-stats (topics stack): would be deleted and created again, empty, because partitions 3 → 2");
    expect(result.output).toContain("npm run deploy -- --allow-data-loss");
    expect(result.output).toContain("deploy: nothing was applied (see above).");
    expect(result.output).not.toMatch(/Apply complete/);
    expect((await topicsAsReported(BOOTSTRAP))[MESSAGES].partitions).toBe(3);
    expect(await counts()).toMatchObject({ messages: 2000, stats: 300 });
  });

  it("refuses a topic removed from lib/topics.ts", async () => {
    writeFileSync(
      topicsFile,
      originalTopics.replace("export const TOPICS: readonly TopicDefinition[] = [", "const ALL_TOPICS: readonly TopicDefinition[] = [") +
        '\nexport const TOPICS = ALL_TOPICS.filter((t) => t.name !== "channel-stats");\n',
    );
    try {
      const result = await steps.run("deploy with a topic removed (refused)", npm("deploy"), DEPLOY);
      expect(result.status).toBe(1);
      expect(result.output).toContain("  topic channel-stats (topics stack): would be deleted, because no longer declared. It holds 3 partition(s), 300 message(s).");
      expect(await counts()).toMatchObject({ messages: 2000, stats: 300 });
    } finally {
      writeFileSync(topicsFile, originalTopics);
    }
  });

  it("applies raised partitions and a changed retention without asking", async () => {
    writeFileSync(topicsFile, originalTopics.replace('"retention.ms": String(DAY_MS)', '"retention.ms": String(2 * DAY_MS)'));
    try {
      const result = await steps.withEnv({ KAFKA_TOPIC_PARTITIONS: "4" }).run("deploy with more partitions and a new retention", npm("deploy"), DEPLOY);
      expectSuccess(result);
      expect(result.output).not.toContain("refused");
      const topics = await topicsAsReported(BOOTSTRAP);
      expect(topics[MESSAGES].partitions).toBe(4);
      expect(topics[STATS].config["retention.ms"]).toBe(String(2 * 86_400_000));
      expect(await counts()).toMatchObject({ messages: 2000, stats: 300 });
    } finally {
      writeFileSync(topicsFile, originalTopics);
    }
  });

  it("with --allow-data-loss, replaces the topics, having printed exactly what was lost", async () => {
    const before = await counts();
    const result = await steps.withEnv({ KAFKA_TOPIC_PARTITIONS: "2" }).run("deploy --allow-data-loss", npm("deploy", "--allow-data-loss"), DEPLOY);
    expectSuccess(result);
    expect(result.output).toContain("deploy: --allow-data-loss: going ahead; this is lost now:");
    const printed = Number(/topic twitch-chat-messages \(topics stack\).* It holds 4 partition\(s\), (\d+) message\(s\)\./.exec(result.output)?.[1]);
    const after = await counts();
    expect((await topicsAsReported(BOOTSTRAP))[MESSAGES].partitions).toBe(2);
    expect(printed).toBe(before.messages - after.messages);
    expect(after.messages).toBe(0);
    // Back to the seed's 3 partitions: a raise, so no question.
    expectSuccess(await steps.run("deploy back to 3 partitions", npm("deploy"), DEPLOY));
    expect((await topicsAsReported(BOOTSTRAP))[MESSAGES].partitions).toBe(3);
  });
});

describe("2. durability", () => {
  it("keeps 20,000 messages and 20,000 rows written just before npm run stop", async () => {
    const expected = await write(20_000);
    const stop = await steps.run("npm run stop right after 20,000 writes", npm("stop"), STOP);
    expectSuccess(stop);
    // Each container's clean shutdown, as Terraform timed its removal (grace period: 60 s each).
    const shutdowns = [...stop.output.matchAll(/^(kafka|cassandra) +docker_container\.(\w+?)_service_container_\w+: Destruction complete after (\d+)s/gm)];
    console.log(`reliability: clean shutdown after writes (s): ${shutdowns.map((m) => `${m[2]} ${m[3]}`).join(", ")}`);
    expectSuccess(await steps.run("deploy after the stop", npm("deploy"), DEPLOY));
    expect(await counts()).toEqual(expected);
  });

  it("keeps them when Kafka and Cassandra are killed without a clean shutdown, as at the end of a grace period", async () => {
    const expected = await write(20_000);
    docker(["kill", "--signal", "KILL", "chatbattle-kafka", "chatbattle-cassandra"]);
    expectSuccess(await steps.run("deploy after kill -9 of both services", npm("deploy"), DEPLOY));
    expect(await counts()).toEqual(expected);
  });

  it("deploys first time, all data there, when started at once after the Docker engine restarted", async () => {
    const expected = await counts();
    await restartDockerEngine();
    const deploy = steps.start(npm("deploy"), DEPLOY);
    // What health says while the services start again.
    const meanwhile = await steps.run("npm run health while the engine's containers start", npm("health"), QUICK);
    console.log(`reliability: npm run health right after the engine restarted (exit ${meanwhile.status}):\n${meanwhile.output}`);
    const result = await deploy.done;
    steps.timings.push({ step: "deploy right after an engine restart", seconds: result.seconds });
    console.log(`reliability: deploy after the engine restart:\n${result.output.split("\n").filter((l) => /waiting for|ready after|deploy:/.test(l)).join("\n")}`);
    expectSuccess(result);
    expect(await counts()).toEqual(expected);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });

  it("adopts the network, volumes, containers and topics when state/ is lost, creating nothing twice", async () => {
    const expected = await counts();
    const networkId = docker(["network", "inspect", "--format", "{{.Id}}", "chatbattle-network"]);
    rmSync(join(project.dir, "state"), { recursive: true, force: true });
    const result = await steps.run("deploy with state/ deleted", npm("deploy"), DEPLOY);
    expectSuccess(result);
    expect(result.output).toMatch(/^network +adopting chatbattle-network: /m);
    expect(result.output).toMatch(/^topics +adopting (channel-stats, twitch-chat-messages|twitch-chat-messages, channel-stats): /m);
    expect(docker(["network", "ls", "--filter", "name=chatbattle-network", "--format", "{{.ID}}"]).split("\n")).toHaveLength(1);
    expect(docker(["network", "inspect", "--format", "{{.Id}}", "chatbattle-network"])).toBe(networkId);
    expect(await counts()).toEqual(expected);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });

  const moments: [string, (output: () => string) => boolean][] = [
    ["early, before any container", () => true],
    ["while the containers start", () => health("chatbattle-cassandra") === "starting"],
    ["while the topics apply", (output) => /^topics {2,}\S/m.test(output())],
  ];
  it.each(moments)("converges with no manual step after kill -9 of npm run deploy %s", async (moment, when) => {
    const expected = await counts();
    expectSuccess(await steps.run(`npm run stop (before kill -9 ${moment})`, npm("stop"), STOP));
    const killed = steps.start(npm("deploy"), DEPLOY);
    try {
      await until(() => when(killed.output) || /deploy: done/.test(killed.output()), `the moment "${moment}"`);
      killed.signal("SIGKILL");
    } finally {
      await killed.done.catch(() => undefined);
    }
    const result = await steps.run(`deploy after kill -9 ${moment}`, npm("deploy"), DEPLOY);
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
    expect(["chatbattle-kafka", "chatbattle-cassandra"].map((c) => docker(["inspect", "--format", "{{.Id}}", c]))).toEqual(ids);
    // The second way it names: move the file aside; the deploy adopts the topics.
    const move = /`mv (\S+) (\S+)`/.exec(refused.output);
    expect(move).not.toBeNull();
    rmSync(join(project.dir, move![1]), { force: true });
    expectSuccess(await steps.run("deploy after moving the damaged state aside", npm("deploy"), DEPLOY));
    expect(await counts()).toEqual(expected);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });
});

describe("3. SIGTERM, as CI runners, timeout and process managers send it", () => {
  it("to npm run deploy while the services start: Terraform saves its state, exit 143, the next deploy finishes", async () => {
    const expected = await counts();
    expectSuccess(await steps.run("npm run stop (before SIGTERM)", npm("stop"), STOP));
    const deploy = steps.start(npm("deploy"), DEPLOY);
    try {
      await until(() => health("chatbattle-cassandra") === "starting", "Cassandra starting");
      // To npm alone, as `timeout` does: npm passes it on to the command.
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
  });

  it("to npm run stop while it removes the containers: exit 143, and stop again finishes", async () => {
    const expected = await counts();
    const stop = steps.start(npm("stop"), STOP);
    try {
      await until(() => /Destroying\.\.\./.test(stop.output()), "stop destroying");
      process.kill(stop.pid, "SIGTERM");
    } finally {
      await stop.done.catch(() => undefined);
    }
    const result = await stop.done;
    expect(result.status, result.output.slice(-3000)).toBe(143);
    expect(result.output).toContain("stop: SIGTERM received; waiting for");
    noLockLeft();
    expectSuccess(await steps.run("stop again after SIGTERM", npm("stop"), STOP));
    expectSuccess(await steps.run("deploy after the stop", npm("deploy"), DEPLOY));
    expect(await counts()).toEqual(expected);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });
});
