import { describe, expect, it } from "vitest";
import { synthesize, containersByName, envOf, type StackJson } from "../../test-support/synth";
import { readCqlFiles, checksumOfAll } from "../../lib/schema/cql-files";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../test-support/synth";
import { goDuration } from "../../lib/constructs/go-duration";
import { TOPICS } from "../../lib/topics";

const { stacks, manifest } = synthesize();
const kafkaContainers = containersByName(stacks.kafka);
const cassandraContainers = containersByName(stacks.cassandra);
const allContainers: Record<string, StackJson> = { ...kafkaContainers, ...cassandraContainers };
const zookeeper = kafkaContainers["chatbattle-zookeeper"];
const kafka = kafkaContainers["chatbattle-kafka"];
const cassandra = cassandraContainers["chatbattle-cassandra"];

const hostPorts = (container: StackJson) =>
  Object.fromEntries(container.ports.map((p: StackJson) => [p.internal, p.external]));

describe("network and names", () => {
  it("creates the bridge network chatbattle-network", () => {
    const networks = Object.values(stacks.network.resource.docker_network) as StackJson[];
    expect(networks).toHaveLength(1);
    expect(networks[0]).toMatchObject({ name: "chatbattle-network", driver: "bridge" });
  });

  it.each([
    ["chatbattle-zookeeper", "zookeeper"],
    ["chatbattle-kafka", "kafka"],
    ["chatbattle-cassandra", "cassandra"],
  ])("%s joins the network under the service name %s", (containerName, serviceName) => {
    const container = allContainers[containerName];
    expect(container.hostname).toBe(serviceName);
    expect(container.networks_advanced).toEqual([{ name: "chatbattle-network", aliases: [serviceName] }]);
  });
});

describe("ports", () => {
  it("publishes the seed's ports", () => {
    expect(hostPorts(zookeeper)).toEqual({ 2181: 2181 });
    expect(hostPorts(kafka)).toEqual({ 9092: 9092, 29092: 29092 });
    expect(hostPorts(cassandra)).toEqual({ 9042: 9042, 7000: 7000, 7001: 7001 });
  });

  it("binds every published port to 127.0.0.1 by default", () => {
    for (const container of Object.values(allContainers)) {
      for (const port of container.ports) expect(port.ip).toBe("127.0.0.1");
    }
  });

  it("binds to BIND_ADDRESS when set", () => {
    const custom = synthesize({ BIND_ADDRESS: "0.0.0.0" });
    const containers = { ...containersByName(custom.stacks.kafka), ...containersByName(custom.stacks.cassandra) };
    for (const container of Object.values(containers)) {
      for (const port of container.ports) expect(port.ip).toBe("0.0.0.0");
    }
  });

  it("follows port settings and advertises the chosen host port", () => {
    const custom = synthesize({
      KAFKA_EXTERNAL_PORT: "19092",
      KAFKA_INTERNAL_PORT: "29093",
      CASSANDRA_CQL_PORT: "19042",
    });
    const customKafka = containersByName(custom.stacks.kafka)["chatbattle-kafka"];
    // Each listener uses its host port's number inside the container too.
    expect(hostPorts(customKafka)).toEqual({ 19092: 19092, 29093: 29093 });
    expect(envOf(customKafka).KAFKA_ADVERTISED_LISTENERS).toBe(
      "PLAINTEXT://kafka:29093,PLAINTEXT_HOST://127.0.0.1:19092",
    );
    expect(hostPorts(containersByName(custom.stacks.cassandra)["chatbattle-cassandra"])[9042]).toBe(19042);
    expect(custom.stacks.topics.provider.kafka[0].bootstrap_servers).toEqual(["127.0.0.1:19092"]);
  });

  it("advertises Kafka to host clients on the address they reach it by, IPv6 in brackets", () => {
    const onLan = synthesize({ BIND_ADDRESS: "192.168.1.5" });
    expect(envOf(containersByName(onLan.stacks.kafka)["chatbattle-kafka"]).KAFKA_ADVERTISED_LISTENERS).toBe(
      "PLAINTEXT://kafka:29092,PLAINTEXT_HOST://192.168.1.5:9092",
    );
    const ipv6 = synthesize({ BIND_ADDRESS: "::" });
    expect(ipv6.stacks.topics.provider.kafka[0].bootstrap_servers).toEqual(["[::1]:9092"]);
  });
});

describe("volumes", () => {
  it("creates the four named volumes in a stack of their own", () => {
    const names = (Object.values(stacks.volumes.resource.docker_volume) as StackJson[]).map((v) => v.name).sort();
    expect(names).toEqual([
      "chatbattle-cassandra-data",
      "chatbattle-kafka-data",
      "chatbattle-zookeeper-data",
      "chatbattle-zookeeper-logs",
    ]);
  });

  it("mounts them at the images' data paths", () => {
    expect(zookeeper.volumes).toEqual([
      { volume_name: "chatbattle-zookeeper-data", container_path: "/var/lib/zookeeper/data" },
      { volume_name: "chatbattle-zookeeper-logs", container_path: "/var/lib/zookeeper/log" },
    ]);
    expect(kafka.volumes).toEqual([{ volume_name: "chatbattle-kafka-data", container_path: "/var/lib/kafka/data" }]);
    expect(cassandra.volumes).toEqual([
      { volume_name: "chatbattle-cassandra-data", container_path: "/var/lib/cassandra" },
    ]);
  });

  it("keeps no container or network in the volumes stack, so stop can leave it alone", () => {
    expect(Object.keys(stacks.volumes.resource)).toEqual(["docker_volume"]);
  });
});

describe("images", () => {
  it("pins versions that start in ZooKeeper mode and keeps images on destroy", () => {
    const images = [stacks.kafka, stacks.cassandra].flatMap(
      (s) => Object.values(s.resource.docker_image) as StackJson[],
    );
    expect(images.map((i) => i.name).sort()).toEqual([
      "cassandra:4.1.11",
      "confluentinc/cp-kafka:7.9.2",
      "confluentinc/cp-zookeeper:7.9.2",
    ]);
    for (const image of images) expect(image.keep_locally).toBe(true);
  });

  it("uses the image settings", () => {
    const custom = synthesize({ KAFKA_IMAGE: "example/kafka:3.9.2", CASSANDRA_IMAGE: "example/cassandra:5.0" });
    const images = [custom.stacks.kafka, custom.stacks.cassandra].flatMap(
      (s) => Object.values(s.resource.docker_image) as StackJson[],
    );
    expect(images.map((i) => i.name)).toContain("example/kafka:3.9.2");
    expect(images.map((i) => i.name)).toContain("example/cassandra:5.0");
  });
});

describe("container lifecycle", () => {
  it.each(["chatbattle-zookeeper", "chatbattle-kafka", "chatbattle-cassandra"])(
    "%s has a healthcheck, stops gracefully, restarts and has a memory limit",
    (name) => {
      const c = allContainers[name];
      expect(c.healthcheck.test[0]).toBe("CMD-SHELL");
      expect(c.destroy_grace_seconds).toBeGreaterThanOrEqual(30);
      expect(c.restart).toBe("unless-stopped");
      expect(c.must_run).toBe(true);
      expect(c.memory).toBeGreaterThan(0);
      // No swap, and no Docker-chosen default that the provider would read back as a diff.
      expect(c.memory_swap).toBe(c.memory);
    },
  );

  it("writes healthcheck durations as Go prints them, so plans show no diff", () => {
    for (const c of Object.values(allContainers)) {
      for (const key of ["interval", "timeout", "start_period"]) {
        const [, h = "0", m = "0", s] = /^(?:(\d+)h)?(?:(\d+)m)?(\d+)s$/.exec(c.healthcheck[key]) ?? [];
        expect(s, `${c.name} ${key}=${c.healthcheck[key]}`).toBeDefined();
        // Round-trips through Go's formatting: "1m30s", never "90s".
        expect(goDuration(Number(h) * 3600 + Number(m) * 60 + Number(s))).toBe(c.healthcheck[key]);
      }
    }
  });

  it("probes each service the way its image supports", () => {
    expect(zookeeper.healthcheck.test[1]).toBe("echo srvr | nc localhost 2181 | grep -q Mode");
    // Through bash's /dev/tcp: a Metadata request to the broker, an OPTIONS request to Cassandra; no client started per probe.
    expect(kafka.healthcheck.test[1]).toContain("exec 3<>/dev/tcp/127.0.0.1/29092");
    expect(kafka.healthcheck.test[1]).toContain("od -An -j12 -N4 -tx1");
    expect(cassandra.healthcheck.test[1]).toContain("exec 3<>/dev/tcp/127.0.0.1/9042");
    expect(cassandra.healthcheck.test[1]).toContain("84??????06????????");
    for (const probe of [kafka.healthcheck.test[1], cassandra.healthcheck.test[1]]) {
      expect(probe).not.toMatch(/kafka-broker-api-versions|cqlsh/);
      // Terraform would read "${" as an interpolation.
      expect(probe).not.toContain("${");
    }
  });

  it.each(["chatbattle-zookeeper", "chatbattle-kafka", "chatbattle-cassandra"])(
    "%s: the deploy waits for health as long as Docker may take to call it unhealthy",
    (name) => {
      const { healthcheck: h, wait_timeout: wait } = allContainers[name];
      const seconds = (d: string) => {
        const [, hours = "0", minutes = "0", secs] = /^(?:(\d+)h)?(?:(\d+)m)?(\d+)s$/.exec(d)!;
        return Number(hours) * 3600 + Number(minutes) * 60 + Number(secs);
      };
      // Docker's verdict comes at the latest after the start period and every retry failing at its timeout.
      const worstCase = seconds(h.start_period) + h.retries * (seconds(h.interval) + seconds(h.timeout));
      expect(wait).toBeGreaterThanOrEqual(worstCase);
    },
  );

  it("waits for Kafka to be healthy (the topics need it), not for Cassandra (the schema step waits for CQL itself)", () => {
    expect([kafka.wait, cassandra.wait]).toEqual([true, false]);
  });

  it("sizes heaps to the seed's resource table and below each memory limit", () => {
    expect(envOf(zookeeper).KAFKA_HEAP_OPTS).toBe("-Xms256m -Xmx256m");
    expect(envOf(kafka).KAFKA_HEAP_OPTS).toBe("-Xms512m -Xmx512m");
    expect(envOf(cassandra)).toMatchObject({ MAX_HEAP_SIZE: "1G", HEAP_NEWSIZE: "256M" });
    expect(zookeeper.memory).toBeGreaterThan(256);
    expect(kafka.memory).toBeGreaterThan(512);
    expect(cassandra.memory).toBeGreaterThan(1024);
  });
});

describe("service configuration", () => {
  it("configures Kafka for ZooKeeper mode with two listeners and single-broker replication", () => {
    const env = envOf(kafka);
    expect(env).toMatchObject({
      KAFKA_ZOOKEEPER_CONNECT: "zookeeper:2181",
      KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://kafka:29092,PLAINTEXT_HOST://127.0.0.1:9092",
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT",
      KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
    });
    // cp-kafka refuses to start with these set.
    for (const forbidden of ["KAFKA_PORT", "KAFKA_HOST", "KAFKA_ADVERTISED_PORT", "KAFKA_ADVERTISED_HOST"]) {
      expect(env).not.toHaveProperty(forbidden);
    }
  });

  it("gives ZooKeeper its client port", () => {
    expect(envOf(zookeeper).ZOOKEEPER_CLIENT_PORT).toBe("2181");
  });

  it("names the Cassandra datacenter from the configuration", () => {
    expect(envOf(cassandra)).toMatchObject({
      CASSANDRA_DC: "dc1",
      CASSANDRA_ENDPOINT_SNITCH: "GossipingPropertyFileSnitch",
    });
    const custom = synthesize({ CASSANDRA_DATACENTER: "local" });
    expect(envOf(containersByName(custom.stacks.cassandra)["chatbattle-cassandra"]).CASSANDRA_DC).toBe("local");
  });
});

describe("ordering", () => {
  it("creates ZooKeeper before Kafka and destroys it after, but starts Kafka without waiting for ZooKeeper's health", () => {
    const zookeeperKey = Object.entries(stacks.kafka.resource.docker_container).find(
      ([, c]: [string, StackJson]) => c.name === "chatbattle-zookeeper",
    )![0];
    // The dependency orders creation and, reversed, destruction: the broker deregisters first.
    expect(kafka.depends_on).toEqual([`docker_container.${zookeeperKey}`]);
    expect(zookeeper.depends_on).toBeUndefined();
    // The broker waits up to a minute for ZooKeeper itself; the deploy waits for the broker.
    expect(zookeeper.wait).toBe(false);
    expect(kafka.wait).toBe(true);
    expect(envOf(kafka).KAFKA_ZOOKEEPER_CONNECTION_TIMEOUT_MS).toBe("60000");
  });

  it("runs topics after Kafka and the schema after Cassandra, in two independent branches", () => {
    const deps = (name: string) => manifest.stacks[name].dependencies.sort();
    expect(deps("volumes")).toEqual([]);
    expect(deps("network")).toEqual([]);
    expect(deps("kafka")).toEqual(["network", "volumes"]);
    expect(deps("cassandra")).toEqual(["network", "volumes"]);
    expect(deps("topics")).toEqual(["kafka"]);
    expect(deps("schema")).toEqual(["cassandra"]);
    expect(cassandra.depends_on).toBeUndefined();
  });
});

describe("topics", () => {
  const topics = Object.values(stacks.topics.resource.kafka_topic) as StackJson[];
  const byName = Object.fromEntries(topics.map((t) => [t.name, t]));

  it("talks plaintext to the broker's host listener", () => {
    expect(stacks.topics.provider.kafka[0]).toMatchObject({
      bootstrap_servers: ["127.0.0.1:9092"],
      tls_enabled: false,
    });
  });

  it("declares exactly the topics of lib/topics.ts, each with its partitions, replication 1 and configs", () => {
    expect(Object.keys(byName).sort()).toEqual(TOPICS.map((t) => t.name).sort());
    for (const topic of TOPICS) {
      expect(byName[topic.name]).toMatchObject({ partitions: topic.partitions, replication_factor: 1 });
      expect(byName[topic.name].config).toEqual(topic.config);
    }
  });

  it("creates the first topic alone, then the others, so the provider never opens its controller connection twice at once", () => {
    const entries = Object.entries(stacks.topics.resource.kafka_topic) as [string, StackJson][];
    const [firstKey, first] = entries.find(([, t]) => t.name === TOPICS[0].name)!;
    const rest = entries.filter(([key]) => key !== firstKey);
    expect(first.depends_on).toBeUndefined();
    expect(rest).toHaveLength(TOPICS.length - 1);
    for (const [, topic] of rest) expect(topic.depends_on).toEqual([`kafka_topic.${firstKey}`]);
  });

  it("pins the Kafka provider version the bindings were generated from", () => {
    expect(stacks.topics.terraform.required_providers.kafka).toEqual({ source: "mongey/kafka", version: "0.13.1" });
  });
});

describe("schema step", () => {
  const resource = Object.values(stacks.schema.resource.terraform_data)[0] as StackJson;
  const exec = resource.provisioner[0]["local-exec"];

  it("runs the project's schema applier from the project root", () => {
    expect(exec.command).toBe("node scripts/command.mjs schema apply");
    expect(exec.working_dir).toBe("../../..");
    expect(exec.environment).toEqual({
      CASSANDRA_CONTACT_POINTS: "127.0.0.1:9042",
      CASSANDRA_LOCAL_DATACENTER: "dc1",
      CASSANDRA_KEYSPACE: "twitch_chat",
      CASSANDRA_REPLICATION_FACTOR: "1",
      SCHEMA_WAIT_SECONDS: "612",
    });
  });

  it("gives a cold Cassandra as long as Docker does before it calls the node unhealthy (about 10 minutes)", () => {
    const { healthcheck: h } = cassandra;
    const seconds = (d: string) => Number(/^(?:(\d+)m)?(\d+)s$/.exec(d)![1] ?? 0) * 60 + Number(/(\d+)s$/.exec(d)![1]);
    expect(Number(exec.environment.SCHEMA_WAIT_SECONDS)).toBe(
      seconds(h.start_period) + h.retries * (seconds(h.interval) + seconds(h.timeout)),
    );
    expect(Number(exec.environment.SCHEMA_WAIT_SECONDS)).toBeGreaterThanOrEqual(600);
  });

  it("re-runs when a CQL file changes", () => {
    expect(resource.triggers_replace.cql_checksum).toBe(checksumOfAll(readCqlFiles(join(PROJECT_ROOT, "cql"))));
  });

  it("re-runs when the Cassandra container changes", () => {
    expect(resource.triggers_replace.cassandra_container_id).toMatch(
      /^\$\{data\.terraform_remote_state\.[\w-]+cassandra\.outputs\.[\w-]+\}$/,
    );
  });

  it("re-runs when the keyspace settings change", () => {
    const custom = synthesize({ CASSANDRA_KEYSPACE: "chat_dev", CASSANDRA_REPLICATION_FACTOR: "2" });
    const customResource = Object.values(custom.stacks.schema.resource.terraform_data)[0] as StackJson;
    expect(customResource.triggers_replace).toMatchObject({
      CASSANDRA_KEYSPACE: "chat_dev",
      CASSANDRA_REPLICATION_FACTOR: "2",
    });
  });
});

describe("state", () => {
  it("keeps every stack's state in <project>/state, outside cdktf.out", () => {
    for (const [name, stack] of Object.entries(stacks)) {
      expect(stack.terraform.backend).toEqual({ local: { path: `../../../state/${name}.tfstate` } });
    }
  });
});
