/**
 * The synthesized stacks against real servers on a real Docker engine:
 * - the containers, network and volumes run exactly as synthesized (through
 *   the docker CLI, see test-support/stack), from the stand-in images;
 * - the topics stack is applied by Terraform with the real Kafka provider;
 * - the schema step's command runs as the synthesized local-exec runs it.
 * Needs `npm run offline:toolchain -- kafka` and `npm run offline:images`
 * (or a registry and the real images), and no ChatBattle stack on the engine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import cassandra from "cassandra-driver";
import { synthesize, containersByName, PROJECT_ROOT, type Synthesized, type StackJson } from "../helpers/synth";
import { environmentWithoutSettings, runNpmScript } from "../helpers/project";
import { docker, dockerRunArgs, imageOf, waitHealthy, healthOf } from "../../test-support/stack/synthesized-containers";
import { TOPICS } from "../../lib/topics";
import { findProjectObjects } from "../../lib/ops/project-objects";

const offlineEnvFile = join(PROJECT_ROOT, ".offline", "env");
const offline: Record<string, string> = existsSync(offlineEnvFile)
  ? (parseEnv(readFileSync(offlineEnvFile, "utf8")) as Record<string, string>)
  : {};
const imageSettings = Object.fromEntries(
  Object.entries(offline).filter(([k]) => ["ZOOKEEPER_IMAGE", "KAFKA_IMAGE", "CASSANDRA_IMAGE"].includes(k)),
);
const terraformEnv = { ...environmentWithoutSettings(), ...offline, CHECKPOINT_DISABLE: "1" };
const terraformBinary = offline.TERRAFORM_BINARY_NAME ?? "terraform";

const timings: [string, number][] = [];
const timed = async <T>(label: string, work: () => Promise<T> | T): Promise<T> => {
  const started = Date.now();
  const result = await work();
  timings.push([label, (Date.now() - started) / 1000]);
  return result;
};

let work: string;
let app: Synthesized;

function terraform(stack: string, args: string[]) {
  const result = spawnSync(terraformBinary, [...args, "-no-color", "-input=false"], {
    cwd: join(work, "cdktf.out", "stacks", stack),
    encoding: "utf8",
    env: terraformEnv,
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

/** An npm script of the project, run as a user runs it. */
const npmRun = (script: string, args: string[] = []) => runNpmScript(PROJECT_ROOT, script, {}, args);

/** What the broker itself reports for a topic. */
function describeTopic(name: string) {
  const text = docker(["exec", "chatbattle-kafka", "kafka-topics", "--describe", "--topic", name, "--bootstrap-server", "localhost:29092"]);
  const header = text.split("\n")[0];
  const configs = /Configs: ?(.*)$/.exec(header)?.[1] ?? "";
  return {
    partitions: Number(/PartitionCount: (\d+)/.exec(header)?.[1]),
    replicationFactor: Number(/ReplicationFactor: (\d+)/.exec(header)?.[1]),
    config: Object.fromEntries(configs.split(",").filter(Boolean).map((kv) => kv.split("=") as [string, string])),
  };
}

async function startContainers() {
  const kafkaStack = app.stacks.kafka;
  const cassandraStack = app.stacks.cassandra;
  const run = (stack: StackJson, container: StackJson) => docker(dockerRunArgs(container, imageOf(stack, container)));
  const kafkaContainers = containersByName(kafkaStack);
  const cassandraContainer = containersByName(cassandraStack)["chatbattle-cassandra"];
  // The two branches start in parallel, as the stacks do; Kafka waits for ZooKeeper (depends_on).
  run(cassandraStack, cassandraContainer);
  run(kafkaStack, kafkaContainers["chatbattle-zookeeper"]);
  await waitHealthy("chatbattle-zookeeper", kafkaContainers["chatbattle-zookeeper"].wait_timeout);
  run(kafkaStack, kafkaContainers["chatbattle-kafka"]);
  await Promise.all([
    waitHealthy("chatbattle-kafka", kafkaContainers["chatbattle-kafka"].wait_timeout),
    waitHealthy("chatbattle-cassandra", cassandraContainer.wait_timeout),
  ]);
}

function removeContainers(graceful: boolean) {
  for (const name of ["chatbattle-kafka", "chatbattle-zookeeper", "chatbattle-cassandra"]) {
    // destroy_grace_seconds: the provider stops with that timeout before removing.
    if (graceful) docker(["stop", "--time", "60", name], { allowFailure: true });
    docker(["rm", "--force", name], { allowFailure: true });
  }
}

function removeEverything() {
  removeContainers(false);
  const left = findProjectObjects();
  if (left.networks.length) docker(["network", "rm", ...left.networks], { allowFailure: true });
  if (left.volumes.length) docker(["volume", "rm", ...left.volumes], { allowFailure: true });
}

beforeAll(async () => {
  const existing = findProjectObjects();
  if ([...existing.containers, ...existing.networks, ...existing.volumes].length > 0) {
    throw new Error(
      `This Docker engine already has ChatBattle objects (${[...existing.containers, ...existing.volumes].join(", ")}); ` +
        "this test would replace them. Run it where no stack is deployed (npm run reset removes one).",
    );
  }
  if (!offline.TF_CLI_CONFIG_FILE) throw new Error("Run npm run offline:toolchain -- kafka first (it writes .offline/env).");
  work = mkdtempSync(join(tmpdir(), "chatbattle-stack-"));
  app = synthesize(imageSettings, { keepIn: join(work, "cdktf.out") });

  await timed("cold start: volumes, network, healthy containers", async () => {
    for (const volume of Object.values(app.stacks.volumes.resource.docker_volume) as StackJson[]) {
      docker(["volume", "create", "--label", `${volume.labels[0].label}=${volume.labels[0].value}`, volume.name]);
    }
    const network = Object.values(app.stacks.network.resource.docker_network)[0] as StackJson;
    docker(["network", "create", "--driver", network.driver, "--label", `${network.labels[0].label}=${network.labels[0].value}`, network.name]);
    await startContainers();
  });
}, 900_000);

afterAll(() => {
  removeEverything();
  if (work) rmSync(work, { recursive: true, force: true });
  console.log(["stack timings:", ...timings.map(([label, s]) => `  ${label.padEnd(52)} ${s.toFixed(1)} s`)].join("\n"));
});

describe("the synthesized stack on real servers", () => {
  it("runs the three containers healthy on chatbattle-network under the seed's names", () => {
    for (const name of ["chatbattle-zookeeper", "chatbattle-kafka", "chatbattle-cassandra"]) expect(healthOf(name)).toBe("healthy");
    const network = JSON.parse(docker(["network", "inspect", "chatbattle-network"]))[0];
    expect(network.Driver).toBe("bridge");
    expect(Object.values(network.Containers).map((c: any) => c.Name).sort()).toEqual([
      "chatbattle-cassandra",
      "chatbattle-kafka",
      "chatbattle-zookeeper",
    ]);
    for (const [name, alias] of [["chatbattle-kafka", "kafka"], ["chatbattle-cassandra", "cassandra"], ["chatbattle-zookeeper", "zookeeper"]]) {
      const aliases = JSON.parse(docker(["inspect", "--format", "{{json .NetworkSettings.Networks}}", name]))["chatbattle-network"].Aliases;
      expect(aliases).toContain(alias);
    }
  });

  it("passes pre-flight while the stack runs: its ports are its own", () => {
    const result = npmRun("preflight");
    expect(result.status, result.stdout).toBe(0);
    expect(result.stdout).toContain("127.0.0.1:9092 is held by the running ChatBattle stack");
    expect(result.stdout).toContain("preflight: ready to deploy");
  });

  it("publishes every host port on 127.0.0.1 only", () => {
    for (const name of ["chatbattle-zookeeper", "chatbattle-kafka", "chatbattle-cassandra"]) {
      const bindings = JSON.parse(docker(["inspect", "--format", "{{json .NetworkSettings.Ports}}", name]));
      const hostIps = Object.values(bindings).flatMap((list: any) => (list ?? []).map((b: any) => b.HostIp));
      expect(hostIps.length).toBeGreaterThan(0);
      expect(new Set(hostIps)).toEqual(new Set(["127.0.0.1"]));
    }
  });

  it("creates the topics through Terraform and the Kafka provider, exactly as declared", async () => {
    const init = await timed("topics: terraform init", () => terraform("topics", ["init"]));
    expect(init.status, init.output).toBe(0);
    const apply = await timed("topics: terraform apply", () => terraform("topics", ["apply", "-auto-approve"]));
    expect(apply.status, apply.output).toBe(0);
    for (const topic of TOPICS) {
      expect(describeTopic(topic.name)).toEqual({
        partitions: topic.partitions,
        replicationFactor: topic.replicationFactor,
        config: topic.config,
      });
    }
  });

  it("lists and describes the topics with npm run topics", () => {
    const list = npmRun("topics");
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.split("\n")).toEqual([
      "TOPIC                 PARTITIONS  REPLICATION  DECLARED",
      "channel-stats         3           1            yes",
      "twitch-chat-messages  3           1            yes",
      "",
    ]);
    const describe = npmRun("topics", ["describe", "channel-stats"]);
    expect(describe.status, describe.stderr).toBe(0);
    expect(describe.stdout).toContain("Topic channel-stats: 3 partitions");
    expect(describe.stdout).toMatch(/^0 +1 +1 +1$/m);
    expect(describe.stdout).toMatch(/^min\.cleanable\.dirty\.ratio +0\.1$/m);
    expect(describe.stdout).toMatch(/^retention\.ms +86400000$/m);
    expect(npmRun("topics", ["describe", "no-such-topic"]).stderr).toContain("no topic named no-such-topic");
  });

  it("plans no change on a second run (no perpetual diff)", async () => {
    const plan = await timed("topics: no-op plan", () => terraform("topics", ["plan", "-detailed-exitcode"]));
    expect(plan.status, plan.output).toBe(0);
  });

  it("puts a topic config changed behind its back back as declared", () => {
    docker(["exec", "chatbattle-kafka", "kafka-configs", "--bootstrap-server", "localhost:29092", "--alter", "--entity-type", "topics",
      "--entity-name", "channel-stats", "--add-config", "retention.ms=1000"]);
    expect(describeTopic("channel-stats").config["retention.ms"]).toBe("1000");
    const health = npmRun("health");
    expect(health.status).toBe(1);
    expect(health.stdout).toContain("topics drifted: channel-stats: retention.ms=1000 (declared 86400000)");
    const plan = terraform("topics", ["plan", "-detailed-exitcode"]);
    expect(plan.status, plan.output).toBe(2);
    expect(terraform("topics", ["apply", "-auto-approve"]).status).toBe(0);
    expect(describeTopic("channel-stats").config["retention.ms"]).toBe("86400000");
  });

  it("applies the schema with the synthesized local-exec command", async () => {
    const resource = Object.values(app.stacks.schema.resource.null_resource)[0] as StackJson;
    const exec = resource.provisioner[0]["local-exec"];
    const result = await timed("schema: local-exec command", () =>
      spawnSync("sh", ["-c", exec.command], {
        // working_dir is relative to cdktf.out/stacks/schema.
        cwd: join(PROJECT_ROOT, "cdktf.out", "stacks", "schema", exec.working_dir),
        encoding: "utf8",
        env: { ...environmentWithoutSettings(), ...exec.environment },
      }),
    );
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("schema: 2 file(s) applied");
    const verify = npmRun("schema:verify");
    expect(verify.status, verify.stdout).toBe(0);
  });

  it("reports every service healthy with npm run health, as a table and as JSON", () => {
    const table = npmRun("health");
    expect(table.status, table.stdout + table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^zookeeper +chatbattle-zookeeper +running +healthy +yes +srvr: mode standalone$/m);
    expect(table.stdout).toMatch(/^kafka +chatbattle-kafka +running +healthy +yes +1 broker\(s\); 2 topics as declared$/m);
    expect(table.stdout).toMatch(/^cassandra +chatbattle-cassandra +running +healthy +yes +CQL answers; schema matches cql\/ \(10 checks\)$/m);
    const json = JSON.parse(npmRun("health", ["--json"]).stdout);
    expect(json.healthy).toBe(true);
    expect(json.services.map((s: any) => [s.service, s.ready])).toEqual([["zookeeper", true], ["kafka", true], ["cassandra", true]]);
  });

  it("reports a killed container, and waits with --wait until it is back", async () => {
    docker(["kill", "chatbattle-zookeeper"]);
    const down = npmRun("health");
    expect(down.status).toBe(1);
    expect(down.stdout).toMatch(/^zookeeper +chatbattle-zookeeper +exited +\w+ +NO +container is exited$/m);
    docker(["start", "chatbattle-zookeeper"]);
    const back = await timed("health --wait after a ZooKeeper restart", () => npmRun("health", ["--wait", "120"]));
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(back.stderr).toContain("health: waiting for zookeeper");
  });

  it("keeps messages and rows when the containers are replaced (stop/start)", async () => {
    const message = `kept-${Date.now()}`;
    const produce = spawnSync("docker", ["exec", "-i", "chatbattle-kafka", "kafka-console-producer", "--bootstrap-server", "localhost:29092", "--topic", "twitch-chat-messages"], {
      input: `${message}\n`,
      encoding: "utf8",
    });
    expect(produce.status, produce.stderr).toBe(0);
    const client = new cassandra.Client({ contactPoints: ["127.0.0.1"], localDataCenter: "dc1", protocolOptions: { port: 9042 } });
    await client.connect();
    await client.execute(
      "INSERT INTO twitch_chat.raw_chat_messages (channel_id, timestamp, message_id, message) VALUES ('kept', 1, uuid(), ?)",
      [message],
      { prepare: true },
    );
    await client.shutdown();

    await timed("stop: graceful container removal", () => removeContainers(true));
    for (const command of ["health", "topics"]) {
      const stopped = npmRun(command);
      expect(stopped.status).toBe(1);
      expect(stopped.stderr).toContain(`${command}: the stack is stopped (its data volumes exist, its containers do not). Start it with npm run deploy.`);
    }
    await timed("start with data: containers healthy again", () => startContainers());

    const consumed = docker(["exec", "chatbattle-kafka", "kafka-console-consumer", "--bootstrap-server", "localhost:29092",
      "--topic", "twitch-chat-messages", "--from-beginning", "--max-messages", "1", "--timeout-ms", "30000"]);
    expect(consumed).toContain(message);
    const again = new cassandra.Client({ contactPoints: ["127.0.0.1"], localDataCenter: "dc1", protocolOptions: { port: 9042 } });
    await again.connect();
    const row = (await again.execute("SELECT message FROM twitch_chat.raw_chat_messages WHERE channel_id = 'kept'")).first();
    await again.shutdown();
    expect(row?.get("message")).toBe(message);
    // The topics are still there, as declared, so the topics stack plans nothing.
    expect(terraform("topics", ["plan", "-detailed-exitcode"]).status).toBe(0);
  });
});

describe("npm run reset", () => {
  // reset works on the project folder it runs in: here `work`, which holds this run's state/.
  const reset = (args = ["--yes"]) =>
    spawnSync(join(PROJECT_ROOT, "node_modules", ".bin", "tsx"), [join(PROJECT_ROOT, "lib", "ops", "reset.ts"), ...args], {
      cwd: work,
      encoding: "utf8",
      env: environmentWithoutSettings(),
    });
  const nothingLeft = () => {
    const left = findProjectObjects();
    expect([...left.containers, ...left.networks, ...left.volumes]).toEqual([]);
    expect(existsSync(join(work, "state"))).toBe(false);
  };

  it("asks for confirmation, and without a terminal or --yes removes nothing", () => {
    const refused = reset([]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain("reset: about to remove");
    expect(refused.stderr).toContain("Confirm with: npm run reset -- --yes");
    expect(refused.stdout).toContain("reset: nothing was removed.");
    expect(findProjectObjects().volumes).toHaveLength(4);
  });

  it("removes everything of a running stack, Terraform state included", async () => {
    expect(existsSync(join(work, "state", "topics.tfstate"))).toBe(true);
    const result = await timed("reset: running stack", () => reset());
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("containers: chatbattle-cassandra, chatbattle-kafka, chatbattle-zookeeper");
    expect(result.stdout).toContain("volumes (all data): chatbattle-cassandra-data, chatbattle-kafka-data, chatbattle-zookeeper-data, chatbattle-zookeeper-logs");
    expect(result.stdout).toContain("Terraform state: state/topics.tfstate");
    nothingLeft();
  });

  it("removes what a stopped stack leaves (volumes, state), and then has nothing to do", () => {
    // What `npm run stop` leaves behind: the volumes and the state files.
    for (const name of ["chatbattle-kafka-data", "chatbattle-cassandra-data"]) docker(["volume", "create", name]);
    mkdirSync(join(work, "state"));
    writeFileSync(join(work, "state", "volumes.tfstate"), "{}");
    const result = reset();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("volumes (all data): chatbattle-cassandra-data, chatbattle-kafka-data");
    nothingLeft();
    expect(reset().stdout).toContain("reset: nothing of the project is left; nothing to do.");
    for (const command of ["health", "topics"]) {
      expect(npmRun(command).stderr).toContain(`${command}: the stack is not deployed (no ChatBattle containers or volumes on this Docker engine).`);
    }
  });
});
