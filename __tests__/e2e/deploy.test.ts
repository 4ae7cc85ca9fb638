/**
 * The app end to end, driven by the user's own commands on an empty Docker
 * engine: npm run deploy, stop, reset, health, topics, logs, validate and
 * npx cdktf destroy, in a copy of the project. What the stack holds is checked
 * with the test's own Kafka and Cassandra clients. Every command runs under a
 * deadline (steps.ts). Needs Docker, Terraform or OpenTofu with the providers
 * (npm run offline:toolchain on a machine without the registry) and the
 * images (npm run offline:images without a container registry).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync } from "node:fs";
import { stripVTControlCharacters } from "node:util";
import { join } from "node:path";
import { APP_ENTRIES, copyProject, environmentWithoutSettings } from "../../test-support/project";
import { Steps, type StepResult } from "./steps";
import { consumed, messageCount, produce, schemaAsReported, topicsAsReported, withCassandra } from "./clients";
import { offlineEnvironment } from "../../test-support/offline-env";
import { docker } from "../../lib/adapters/docker/docker-cli";
import { findProjectObjects } from "../../lib/adapters/docker/project-objects";
import { providerLockFlags } from "../../test-support/cdktf-cli";
import { runTerraform } from "../../lib/adapters/terraform/terraform";
import { TOPICS } from "../../lib/topics";
import { planExitCodes as planExitCodesIn, requireEmptyEngine } from "./stack-checks";
import { npmScript as npm } from "../../test-support/command";

const CONTAINERS = {
  zookeeper: "chatbattle-zookeeper",
  kafka: "chatbattle-kafka",
  cassandra: "chatbattle-cassandra",
} as const;
const STACKS = ["volumes", "network", "kafka", "cassandra", "topics", "schema"];
const BOOTSTRAP = "127.0.0.1:9092";
const CQL = "127.0.0.1:9042";

// Deadlines, in seconds: generous beside what each step takes here, short of hanging.
const DEPLOY = 420;
const STOP = 240;
const QUICK = 90;

const env = { ...environmentWithoutSettings(), ...offlineEnvironment(), CHECKPOINT_DISABLE: "1", FORCE_COLOR: "0" };
const project = copyProject(APP_ENTRIES, "chatbattle-e2e-");
const steps = new Steps(project.dir, env);
// The plain cdktf commands work on the same stacks; npm run deploy runs them with Terraform directly.
const cdktfDestroyAll = ["npx", "cdktf", "destroy", "*", "--auto-approve", ...providerLockFlags(env)];
const cdktfDeployAll = ["npx", "cdktf", "deploy", "*", "--auto-approve", ...providerLockFlags(env)];
const message = `e2e-${Date.now()}`;

const inspect = (name: string, format: string) => docker(["inspect", "--format", format, name]);
/** Like inspect, but empty while the container does not exist. */
const inspectIfThere = (name: string, format: string) =>
  docker(["inspect", "--format", format, name], { allowFailure: true });
const containerIds = () => Object.values(CONTAINERS).map((name) => inspect(name, "{{.Id}}"));

/** `terraform plan -detailed-exitcode` in every stack: 0 means nothing to do. */
const planExitCodes = () => planExitCodesIn(project.dir, STACKS, env);

/** channel-stats' retention.ms set to 1 s on the broker itself, as someone with kafka-configs would. */
const shortenRetentionBehindTheAppsBack = () =>
  docker([
    "exec",
    CONTAINERS.kafka,
    "kafka-configs",
    "--bootstrap-server",
    "localhost:29092",
    "--alter",
    "--entity-type",
    "topics",
    "--entity-name",
    "channel-stats",
    "--add-config",
    "retention.ms=1000",
  ]);
const allPlansEmpty = Object.fromEntries(STACKS.map((s) => [s, 0]));

async function expectNothingLeft() {
  const left = await findProjectObjects();
  expect([...left.containers, ...left.networks, ...left.volumes]).toEqual([]);
}

async function expectHealthy() {
  const health = await steps.run("npm run health", npm("health"), QUICK);
  expect(health.status, health.output).toBe(0);
}

/** A cold deploy must work the first time: no error in any stack, the topics among them. */
function expectCleanDeploy(result: StepResult) {
  expect(result.status, result.output.slice(-4000)).toBe(0);
  expect(result.output).not.toMatch(/Error:/);
}

beforeAll(requireEmptyEngine);

afterAll(async () => {
  await steps.run("clean-up: npm run reset", npm("reset", "--yes"), QUICK).catch(() => undefined);
  project.remove();
  console.log(`end-to-end step times:\n${steps.table()}`);
});

describe("1. a cold deploy", () => {
  it("brings every service up healthy with npm run deploy, first time", async () => {
    const result = await steps.run("cold deploy (npm run deploy)", npm("deploy"), DEPLOY);
    expectCleanDeploy(result);
    // Start-to-healthy of each container, as Terraform measured its creation (ZooKeeper's is start-to-running).
    const started = [
      ...result.output.matchAll(
        /^(kafka|cassandra) +docker_container\.(\w+?)_service_container_\w+: Creation complete after (\d+)s/gm,
      ),
    ];
    console.log(`e2e: containers' start-to-healthy (s): ${started.map((m) => `${m[2]} ${m[3]}`).join(", ")}`);
  });

  it("runs the three containers healthy on chatbattle-network under the seed's names and service aliases", () => {
    for (const [service, name] of Object.entries(CONTAINERS)) {
      expect(inspect(name, "{{.State.Health.Status}}")).toBe("healthy");
      const networks = JSON.parse(inspect(name, "{{json .NetworkSettings.Networks}}"));
      expect(Object.keys(networks)).toEqual(["chatbattle-network"]);
      expect(networks["chatbattle-network"].Aliases).toContain(service);
    }
    expect(JSON.parse(docker(["network", "inspect", "chatbattle-network"]))[0].Driver).toBe("bridge");
  });

  it("publishes every host port on 127.0.0.1 only", () => {
    for (const name of Object.values(CONTAINERS)) {
      const bindings = JSON.parse(inspect(name, "{{json .NetworkSettings.Ports}}"));
      const hostIps = Object.values(bindings).flatMap((list) =>
        ((list as { HostIp: string }[] | null) ?? []).map((b) => b.HostIp),
      );
      expect(hostIps.length).toBeGreaterThan(0);
      expect(new Set(hostIps)).toEqual(new Set(["127.0.0.1"]));
    }
  });

  it("has exactly the declared topics, as the broker reports them", async () => {
    const reported = await topicsAsReported(BOOTSTRAP);
    expect(reported).toEqual({
      "twitch-chat-messages": {
        partitions: 3,
        replicationFactor: 1,
        config: { "retention.ms": "604800000", "cleanup.policy": "delete" },
      },
      "channel-stats": {
        partitions: 3,
        replicationFactor: 1,
        config: { "retention.ms": "86400000", "cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1" },
      },
    });
  });

  it("delivers a message produced to twitch-chat-messages back to a consumer", async () => {
    await produce(BOOTSTRAP, "twitch-chat-messages", message);
    expect(await consumed(BOOTSTRAP, "twitch-chat-messages", message)).toBe(true);
  });

  it("has the keyspace and table of cql/, returning rows newest first with a 7-day TTL", async () => {
    await withCassandra(CQL, async (client) => {
      const schema = await schemaAsReported(client, "twitch_chat", "raw_chat_messages");
      expect(schema.replication).toEqual({
        class: "org.apache.cassandra.locator.SimpleStrategy",
        replication_factor: "1",
      });
      expect(schema.defaultTimeToLive).toBe(604800);
      expect(schema.compaction).toMatchObject({
        class: "org.apache.cassandra.db.compaction.TimeWindowCompactionStrategy",
        compaction_window_unit: "DAYS",
        compaction_window_size: "1",
      });
      expect(schema.columns).toEqual([
        { name: "channel_id", type: "text", kind: "partition_key", position: 0, order: "none" },
        { name: "emotes", type: "list<text>", kind: "regular", position: -1, order: "none" },
        { name: "message", type: "text", kind: "regular", position: -1, order: "none" },
        { name: "message_id", type: "uuid", kind: "clustering", position: 1, order: "asc" },
        { name: "timestamp", type: "bigint", kind: "clustering", position: 0, order: "desc" },
        { name: "user_id", type: "text", kind: "regular", position: -1, order: "none" },
        { name: "username", type: "text", kind: "regular", position: -1, order: "none" },
      ]);
      for (const timestamp of [1, 3, 2]) {
        await client.execute(
          "INSERT INTO twitch_chat.raw_chat_messages (channel_id, timestamp, message_id, message) VALUES ('e2e', ?, uuid(), ?)",
          [timestamp, `${message}-${timestamp}`],
          { prepare: true },
        );
      }
      const rows = (
        await client.execute(
          "SELECT timestamp, TTL(message) AS ttl FROM twitch_chat.raw_chat_messages WHERE channel_id = 'e2e'",
        )
      ).rows;
      expect(rows.map((r) => Number(r.timestamp))).toEqual([3, 2, 1]);
      for (const row of rows) expect(row.ttl).toBeGreaterThan(604800 - 120);
    });
  });

  it("shows it all with npm run health, topics, schema:verify, logs and validate", async () => {
    const health = await steps.run("npm run health", npm("health"), QUICK);
    expect(health.status, health.output).toBe(0);
    expect(health.output).toMatch(/^zookeeper +chatbattle-zookeeper +running +healthy +yes +srvr: mode standalone$/m);
    expect(health.output).toMatch(
      /^kafka +chatbattle-kafka +running +healthy +yes +1 broker\(s\) online; 2 topics as declared; no under-replicated partitions$/m,
    );
    expect(health.output).toMatch(
      /^cassandra +chatbattle-cassandra +running +healthy +yes +CQL answers; schema matches cql\/ \(10 checks\)$/m,
    );

    const topics = await steps.run("npm run topics", npm("topics"), QUICK);
    expect(topics.output.split("\n")).toEqual([
      "TOPIC                 PARTITIONS  REPLICATION  DECLARED",
      "channel-stats         3           1            yes",
      "twitch-chat-messages  3           1            yes",
      "",
    ]);
    const describe = await steps.run("npm run topics -- describe", npm("topics", "describe", "channel-stats"), QUICK);
    expect(describe.output).toMatch(/^min\.cleanable\.dirty\.ratio +0\.1$/m);

    expect((await steps.run("npm run schema:verify", npm("schema:verify"), QUICK)).output).toContain(
      "schema: matches cql/",
    );

    const logs = await steps.run(
      "npm run logs -- --tail 5 --no-follow",
      npm("logs", "--tail", "5", "--no-follow"),
      QUICK,
    );
    expect(logs.status, logs.output).toBe(0);
    const lines = logs.output.trimEnd().split("\n");
    expect(
      lines.every((l) => /^(zookeeper|kafka {4}|cassandra) \| /.test(l)),
      logs.output,
    ).toBe(true);
    for (const service of Object.keys(CONTAINERS))
      expect(lines.filter((l) => l.startsWith(`${service} `))).toHaveLength(5);
    const kafkaLogs = await steps.run(
      "npm run logs -- kafka",
      npm("logs", "kafka", "--tail", "3", "--no-follow"),
      QUICK,
    );
    expect(
      kafkaLogs.output
        .trimEnd()
        .split("\n")
        .map((l) => l.slice(0, 8)),
    ).toEqual(["kafka | ", "kafka | ", "kafka | "]);

    const validate = await steps.run("npm run validate", npm("validate"), QUICK * 2);
    expect(validate.status, validate.output).toBe(0);
    expect(validate.output).toMatch(/^kafka +ok +valid; plan: no changes$/m);
    expect(validate.output).toContain("validate: every stack is valid");

    const preflight = await steps.run("npm run preflight (stack running)", npm("preflight"), QUICK);
    expect(preflight.status, preflight.output).toBe(0);
    expect(preflight.output).toContain("127.0.0.1:9092 is held by the ChatBattle stack's chatbattle-kafka (running)");
  });
});

describe("2. a no-op", () => {
  it("plans nothing in any stack", async () => {
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });

  it("keeps every container on a second npm run deploy", async () => {
    const before = containerIds();
    expectCleanDeploy(await steps.run("no-op deploy", npm("deploy"), DEPLOY));
    expect(containerIds()).toEqual(before);
  });

  it("tells a no-op from Docker and the broker without Terraform, and still sees a topic config changed on the broker: health names it, deploy puts it back", async () => {
    const noop = await steps.run("no-op deploy, checked without Terraform", npm("deploy"), DEPLOY);
    expectCleanDeploy(noop);
    expect(noop.output).toContain("deploy: every stack is as the last deploy left it, and runs as recorded");
    expect(noop.output).not.toMatch(/^(volumes|network|kafka|cassandra|topics|schema) /m);

    shortenRetentionBehindTheAppsBack();
    const drifted = await steps.run("npm run health (drifted)", npm("health"), QUICK);
    expect(drifted.status).toBe(1);
    expect(drifted.output).toContain("topics drifted: channel-stats: retention.ms=1000 (declared 86400000)");
    const repair = await steps.run("deploy after a topic config changed on the broker", npm("deploy"), DEPLOY);
    expectCleanDeploy(repair);
    expect(repair.output).toContain("deploy: planning every stack: topic channel-stats's config changed on the broker");
    expect(repair.output).toMatch(/^topics +kafka_topic\.topic-channel-stats: Modifications complete/m);
    expect((await topicsAsReported(BOOTSTRAP))["channel-stats"].config["retention.ms"]).toBe(
      TOPICS.find((t) => t.name === "channel-stats")!.config["retention.ms"],
    );
  });
});

describe("3. stop and start", () => {
  it("npm run stop removes the containers and keeps the network and the four volumes", async () => {
    const stop = await steps.succeed("npm run stop", npm("stop"), STOP);
    expect(stop.output).toContain("stop: done.");
    const left = await findProjectObjects();
    expect(left.containers).toEqual([]);
    expect(left.networks).toEqual(["chatbattle-network"]);
    expect(left.volumes).toEqual([
      "chatbattle-cassandra-data",
      "chatbattle-kafka-data",
      "chatbattle-zookeeper-data",
      "chatbattle-zookeeper-logs",
    ]);
  });

  it("says the stack is stopped in health, topics and logs", async () => {
    for (const command of ["health", "topics", "logs"]) {
      const result = await steps.run(
        `npm run ${command} (stopped)`,
        npm(command, ...(command === "logs" ? ["--no-follow"] : [])),
        QUICK,
      );
      expect(result.status).toBe(1);
      expect(result.output).toContain(
        `${command}: the stack is stopped (its data volumes exist, its containers do not). Start it with npm run deploy.`,
      );
    }
  });

  it("brings the same message and rows back with npm run deploy, on the stack's own network again after one made by hand took its name", async () => {
    // Changed behind the app's back while stopped: the network removed and one of that name made by hand.
    docker(["network", "rm", "chatbattle-network"]);
    const byHand = docker(["network", "create", "chatbattle-network"]);
    // Terraform first fails to create the network over the one made by hand (and says so), then the deploy adopts and replaces it.
    const start = await steps.run("start with data (npm run deploy)", npm("deploy"), DEPLOY);
    expect(start.status, start.output.slice(-4000)).toBe(0);
    expect(start.output).toMatch(/^network +adopting chatbattle-network: /m);
    const network = JSON.parse(docker(["network", "inspect", "chatbattle-network"]))[0];
    expect(network.Id).not.toBe(byHand);
    expect(network.Labels).toMatchObject({ "com.chatbattle.project": "chatbattle" });
    expect(await consumed(BOOTSTRAP, "twitch-chat-messages", message)).toBe(true);
    await withCassandra(CQL, async (client) => {
      const rows = (await client.execute("SELECT message FROM twitch_chat.raw_chat_messages WHERE channel_id = 'e2e'"))
        .rows;
      expect(rows.map((r) => r.message)).toEqual([`${message}-3`, `${message}-2`, `${message}-1`]);
    });
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });
});

describe("4. healing", () => {
  it("with the Kafka container removed, Cassandra's stopped and the network deleted, one deploy brings each back, every container on the network again", async () => {
    docker(["rm", "--force", CONTAINERS.kafka]);
    docker(["stop", CONTAINERS.cassandra]);
    for (const name of [CONTAINERS.zookeeper, CONTAINERS.cassandra])
      docker(["network", "disconnect", "--force", "chatbattle-network", name]);
    docker(["network", "rm", "chatbattle-network"]);
    expectCleanDeploy(
      await steps.run("heal: Kafka removed, Cassandra stopped, network deleted", npm("deploy"), DEPLOY),
    );
    for (const name of Object.values(CONTAINERS))
      expect(Object.keys(JSON.parse(inspect(name, "{{json .NetworkSettings.Networks}}")))).toEqual([
        "chatbattle-network",
      ]);
    await expectHealthy();
    expect(await consumed(BOOTSTRAP, "twitch-chat-messages", message)).toBe(true);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });
});

describe("5. plain cdktf, with Terraform itself guarding the data", () => {
  const plain = (output: string) => stripVTControlCharacters(output);

  it('npx cdktf deploy "*" with fewer partitions is refused by Terraform (prevent_destroy): the topics keep their partitions and messages', async () => {
    const before = await messageCount(BOOTSTRAP, "twitch-chat-messages");
    const refused = await steps
      .withEnv({ KAFKA_TOPIC_PARTITIONS: "2" })
      .run('npx cdktf deploy "*" with fewer partitions (refused)', cdktfDeployAll, DEPLOY);
    expect(refused.status).not.toBe(0);
    expect(plain(refused.output)).toMatch(
      /Instance cannot be destroyed[\s\S]*Resource kafka_topic\.topic-[\w-]+ \([\w-]+\) has lifecycle\.prevent_destroy/,
    );
    expect((await topicsAsReported(BOOTSTRAP))["twitch-chat-messages"].partitions).toBe(3);
    expect(await messageCount(BOOTSTRAP, "twitch-chat-messages")).toBe(before);
  });

  it('npx cdktf destroy "*" is refused for the topics and volumes: they stay with their data, and npm run reset removes everything', async () => {
    const before = await messageCount(BOOTSTRAP, "twitch-chat-messages");
    const refused = await steps.run('npx cdktf destroy "*" (refused)', cdktfDestroyAll, STOP);
    expect(refused.status).not.toBe(0);
    expect(plain(refused.output)).toContain("Instance cannot be destroyed");
    expect((await findProjectObjects()).volumes).toHaveLength(4);
    expect(await messageCount(BOOTSTRAP, "twitch-chat-messages")).toBe(before);
    await steps.succeed("npm run reset -- --yes (after the refused destroy)", npm("reset", "--yes"), QUICK);
    await expectNothingLeft();
  });

  it("a deploy afterwards, with plain npx cdktf deploy, starts from nothing and works, first time", async () => {
    expectCleanDeploy(await steps.run('cold deploy after reset (npx cdktf deploy "*")', cdktfDeployAll, DEPLOY));
    await expectHealthy();
    expect(Object.keys(await topicsAsReported(BOOTSTRAP)).sort()).toEqual(TOPICS.map((t) => t.name).sort());
    expect(await consumed(BOOTSTRAP, "twitch-chat-messages", message, 5000)).toBe(false);
  });
});

describe("6. reset of a running stack", () => {
  it("refuses without --yes and without a terminal, removing nothing", async () => {
    const refused = await steps.run("npm run reset (no --yes)", npm("reset"), QUICK);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain("Confirm with: npm run reset -- --yes");
    expect((await findProjectObjects()).volumes).toHaveLength(4);
  });

  it("removes everything, Terraform state included", async () => {
    const reset = await steps.succeed("reset (stack up)", npm("reset", "--yes"), QUICK);
    expect(reset.output).toContain("containers: chatbattle-cassandra, chatbattle-kafka, chatbattle-zookeeper");
    expect(reset.output).toContain("Terraform state: state/");
    await expectNothingLeft();
    expect(existsSync(join(project.dir, "state"))).toBe(false);
  });
});

describe("7. interrupted and concurrent deploys", () => {
  it("a deploy stopped with Ctrl-C while Cassandra starts is finished by the next deploy, with no manual step; a second deploy started meanwhile ends at once, naming it", async () => {
    const interrupted = steps.start(npm("deploy"), DEPLOY);
    const started = Date.now();
    try {
      while (
        inspectIfThere(CONTAINERS.cassandra, "{{if .State.Health}}{{.State.Health.Status}}{{end}}") !== "starting"
      ) {
        if (Date.now() - started > 120_000)
          throw new Error(`Cassandra never started:\n${interrupted.output().slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      interrupted.signal("SIGINT");
    } finally {
      // Never leave it running into the next test, whatever happened above.
      await interrupted.done.catch(() => undefined);
    }
    const result = await interrupted.done;
    steps.timings.push({ step: "deploy interrupted by Ctrl-C", seconds: result.seconds });
    expect(result.status).not.toBe(0);
    // It returned only once Terraform had saved its state: no stack's state is still locked.
    expect(readdirSync(join(project.dir, "state")).filter((f) => f.endsWith(".lock.info"))).toEqual([]);

    // Ctrl-C between Docker's create and Terraform's record of it leaves a container the
    // state does not know: the next deploy adopts it (a test below forces it). A second deploy
    // started while that one runs ends at once, naming it.
    const first = steps.start(npm("deploy"), DEPLOY);
    const lock = join(project.dir, ".chatbattle.lock");
    const firstStarted = Date.now();
    let second: StepResult;
    try {
      while (!existsSync(lock)) {
        if (Date.now() - firstStarted > 30_000) throw new Error(`the deploy never took the lock:\n${first.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      second = await steps.run("second deploy while one runs", npm("deploy"), QUICK);
    } finally {
      await first.done.catch(() => undefined);
    }
    expect(second.status).toBe(1);
    expect(second.seconds).toBeLessThan(15);
    expect(second.output).toMatch(
      /^deploy: npm run deploy \(pid \d+, started .+\) is already changing this stack; nothing was done\./m,
    );
    const after = await first.done;
    steps.timings.push({ step: "deploy after the interrupted one", seconds: after.seconds });
    expectCleanDeploy(after);
    await expectHealthy();
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });

  it("a deploy adopts a container of the project that Terraform's state does not know, with no manual step", async () => {
    // What a Ctrl-C between Docker's create and Terraform's record leaves behind, made on purpose.
    const kafkaStack = join(project.dir, "cdktf.out", "stacks", "kafka");
    const address = (
      await runTerraform(kafkaStack, ["state", "list"], { env, deadlineSeconds: 60, label: "state list" })
    ).output
      .split("\n")
      .find((l) => /^docker_container\.kafka_service_container/.test(l));
    expect(address).toBeDefined();
    expect(
      (await runTerraform(kafkaStack, ["state", "rm", address!], { env, deadlineSeconds: 60, label: "state rm" }))
        .status,
    ).toBe(0);
    const result = await steps.run("deploy with a container unknown to the state", npm("deploy"), DEPLOY);
    expect(result.status, result.output.slice(-4000)).toBe(0);
    expect(result.output).toMatch(/^kafka +adopting chatbattle-kafka: they exist but the state does not know them/m);
    expect(result.output).not.toMatch(/Error:/);
    await expectHealthy();
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });
});

describe("8. reset of a stopped stack", () => {
  it("removes the volumes and state that stop leaves, then has nothing to do", async () => {
    await steps.succeed("npm run stop", npm("stop"), STOP);
    const reset = await steps.succeed("reset (stack stopped)", npm("reset", "--yes"), QUICK);
    expect(reset.output).toContain(
      "volumes (all data): chatbattle-cassandra-data, chatbattle-kafka-data, chatbattle-zookeeper-data, chatbattle-zookeeper-logs",
    );
    await expectNothingLeft();
    expect((await steps.run("reset (nothing left)", npm("reset", "--yes"), QUICK)).output).toContain(
      "reset: nothing of the project is left; nothing to do.",
    );
    const health = await steps.run("npm run health (nothing deployed)", npm("health"), QUICK);
    expect(health.output).toContain(
      "health: the stack is not deployed (no ChatBattle containers or volumes on this Docker engine).",
    );
  });
});
