import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:net";
import {
  checkDockerMemory,
  checkKafkaData,
  deployedKafka,
  checkPorts,
  checkTerraform,
  SEED_TOPOLOGY,
} from "../../lib/checks/preflight";
import { hostPortsOfBindings } from "../../lib/adapters/docker/project-objects";
import { parseConfig } from "../../lib/config/config";
import { PROJECT_ROOT } from "../../test-support/synth";
import { runNpmScript } from "../../test-support/project";

let occupied: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (occupied ? occupied.close(() => resolve()) : resolve())));

const occupy = (port = 0) =>
  new Promise<number>((resolve) => {
    occupied = createServer().listen(port, "127.0.0.1", () => resolve((occupied!.address() as { port: number }).port));
  });

describe("pre-flight checks", () => {
  it("names a host port that another program holds and the setting that moves it", async () => {
    const port = await occupy();
    const config = parseConfig({ CASSANDRA_CQL_PORT: String(port) });
    const results = await checkPorts(config, new Map());
    expect(results.find((r) => r.check === `port ${port}`)).toEqual({
      check: `port ${port}`,
      ok: false,
      detail: `127.0.0.1:${port} is already in use by another program; stop it, or set CASSANDRA_CQL_PORT to a free port`,
    });
  });

  it("accepts a port that the stack's own container holds, whatever its state (a redeploy, a restart)", async () => {
    const port = await occupy();
    const results = await checkPorts(
      parseConfig({ ZOOKEEPER_PORT: String(port) }),
      new Map([[port, { container: "chatbattle-zookeeper", state: "restarting" }]]),
    );
    expect(results.find((r) => r.check === `port ${port}`)).toMatchObject({
      ok: true,
      detail: `127.0.0.1:${port} is held by the ChatBattle stack's chatbattle-zookeeper (restarting)`,
    });
  });

  it("reads a container's configured host ports from its port bindings, published this moment or not", () => {
    const bindings = JSON.stringify({
      "9042/tcp": [{ HostIp: "127.0.0.1", HostPort: "9042" }],
      "7000/tcp": [{ HostIp: "127.0.0.1", HostPort: "7000" }],
      "2181/tcp": [
        { HostIp: "0.0.0.0", HostPort: "2181" },
        { HostIp: "::", HostPort: "2181" },
      ],
      "8080/tcp": null,
    });
    expect([...new Set(hostPortsOfBindings(bindings))].sort((a, b) => a - b)).toEqual([2181, 7000, 9042]);
    expect(hostPortsOfBindings("null")).toEqual([]);
  });

  it("says how much memory the stack needs when Docker has too little", () => {
    const result = checkDockerMemory(2 * 1024 ** 3);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain("has 2.0 GiB of memory; the stack needs 3.5 GiB");
    expect(SEED_TOPOLOGY.memoryMiB).toBe(3584);
    expect(checkDockerMemory(8 * 1024 ** 3).ok).toBe(true);
  });

  it("fails when neither Terraform nor OpenTofu can be run", () => {
    const result = checkTerraform({ TERRAFORM_BINARY_NAME: "no-such-terraform-binary" });
    expect(result).toMatchObject({ ok: false, check: "Terraform" });
    expect(result.detail).toContain("no-such-terraform-binary was not found on PATH");
  });

  it("npm run preflight refuses, exit 1, when a port is occupied", async () => {
    const port = await occupy();
    const result = runNpmScript(PROJECT_ROOT, "preflight", { KAFKA_EXTERNAL_PORT: String(port) });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^FAIL +port ${port} +127.0.0.1:${port} is already in use`, "m"));
    expect(result.stdout).toContain(`set KAFKA_EXTERNAL_PORT to a free port`);
    expect(result.stdout).toMatch(/preflight: \d+ problem\(s\); nothing was changed/);
  });
});

describe("checkKafkaData", () => {
  const zookeeperVolumes = [
    "chatbattle-cassandra-data",
    "chatbattle-kafka-data",
    "chatbattle-zookeeper-data",
    "chatbattle-zookeeper-logs",
  ];
  const kraftVolumes = ["chatbattle-cassandra-data", "chatbattle-kafka-data"];

  it("passes a first deploy and a deploy whose settings match the volumes", () => {
    expect(checkKafkaData(parseConfig({ KAFKA_MODE: "kraft" }), ["chatbattle-cassandra-data"]).ok).toBe(true);
    expect(checkKafkaData(parseConfig({}), zookeeperVolumes).ok).toBe(true);
    expect(checkKafkaData(parseConfig({ KAFKA_MODE: "kraft" }), kraftVolumes).ok).toBe(true);
  });

  it("refuses to switch the mode of a stack with data, naming its volumes, npm run migrate first, then the old settings and npm run reset", () => {
    const toKraft = checkKafkaData(parseConfig({ KAFKA_MODE: "kraft" }), zookeeperVolumes);
    expect(toKraft.ok).toBe(false);
    expect(toKraft.detail).toBe(
      "volumes chatbattle-kafka-data, chatbattle-zookeeper-data, chatbattle-zookeeper-logs hold data of KAFKA_MODE=zookeeper with 1 broker(s), " +
        "but the settings ask for KAFKA_MODE=kraft with 1 broker(s); a deploy would leave that data unreadable or delete it, so nothing was changed. " +
        "Move the data to the new settings with npm run migrate (it keeps every record, consumer group offset and row), " +
        "or set KAFKA_MODE=zookeeper and KAFKA_BROKERS=1 again, or delete all data with npm run reset and deploy.",
    );
    expect(deployedKafka(zookeeperVolumes)).toEqual({ mode: "zookeeper", brokers: 1 });
    expect(deployedKafka(["chatbattle-cassandra-data"])).toBeUndefined();
    const toZooKeeper = checkKafkaData(parseConfig({}), kraftVolumes);
    expect(toZooKeeper.ok).toBe(false);
    expect(toZooKeeper.detail).toMatch(
      /^volumes chatbattle-kafka-data hold data of KAFKA_MODE=kraft with 1 broker\(s\), but the settings ask for KAFKA_MODE=zookeeper/,
    );
  });

  it("refuses to change the broker count of a stack with data: fewer brokers would delete volumes", () => {
    const three = [...kraftVolumes, "chatbattle-kafka-2-data", "chatbattle-kafka-3-data"];
    expect(
      checkKafkaData(
        parseConfig({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3", KAFKA_TOPIC_REPLICATION_FACTOR: "3" }),
        three,
      ).ok,
    ).toBe(true);
    expect(checkKafkaData(parseConfig({ KAFKA_MODE: "kraft" }), three).detail).toMatch(
      /hold data of KAFKA_MODE=kraft with 3 broker\(s\)/,
    );
    expect(checkKafkaData(parseConfig({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3" }), kraftVolumes).ok).toBe(false);
  });
});

describe("checkPorts per Kafka mode and broker count", () => {
  it("checks every port the configuration publishes: each broker's, and ZooKeeper's only in zookeeper mode", async () => {
    const checked = async (env: Record<string, string>) =>
      (
        await checkPorts(
          parseConfig(env),
          new Map(
            [2181, 9092, 9093, 9094, 29092, 29093, 29094, 9042, 7000, 7001].map((p) => [
              p,
              { container: "c", state: "running" },
            ]),
          ),
        )
      ).map((r) => r.check);
    expect(await checked({})).toEqual(["port 2181", "port 9092", "port 29092", "port 9042", "port 7000", "port 7001"]);
    expect(await checked({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3" })).toEqual([
      "port 9092",
      "port 29092",
      "port 9093",
      "port 29093",
      "port 9094",
      "port 29094",
      "port 9042",
      "port 7000",
      "port 7001",
    ]);
  });
});
