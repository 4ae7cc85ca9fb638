/**
 * Starts a real three-broker Kafka cluster for the cluster-target tests:
 * Apache Kafka 3.9 from Maven Central (the Kafka stand-in image, see
 * images/kafka) in KRaft mode, each node broker and controller at once. Clients
 * and brokers talk SASL_SSL with SCRAM-SHA-512, with a certificate from the
 * test's own CA; the controllers talk plaintext on loopback. The containers
 * use the host's network, so every listener is 127.0.0.1:<free port> for the
 * host and the other brokers alike. Needs Docker and `npm run offline:images`.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { offlineEnvironment } from "../offline-env";
import { runDocker as docker } from "../../lib/adapters/docker/docker-cli";
import { freePort } from "../free-port";
import type { TestCertificates } from "../tls";
import { connectAdmin, type KafkaClientTarget } from "../../lib/adapters/kafka/kafka-admin";

/** SCRAM users the cluster knows from the start: the brokers' own and the deploy's. */
export interface KafkaUsers {
  readonly admin: { readonly username: string; readonly password: string };
  readonly client: { readonly username: string; readonly password: string };
}

export interface RunningKafkaCluster {
  /** host:port of each broker's SASL_SSL listener, by node id 1, 2, 3. */
  readonly brokers: readonly string[];
  readonly users: KafkaUsers;
  /** Seconds from the first `docker run` until a client saw all three brokers. */
  readonly startupSeconds: number;
  /** The container of node `id` (1-based). */
  containerOf(id: number): string;
  /** A client target for the test's own checks, logged in as the client user. */
  clientTarget(): KafkaClientTarget;
  /** Kills node `id` at once, as a crash would. */
  kill(id: number): void;
  /** Starts node `id` again with its data. */
  start(id: number): void;
  stop(): Promise<void>;
}

/** The KRaft stand-in (Kafka 4, the line of the default KRaft image), which clusters a team shares run too. */
function standInKafkaImage(): string {
  const image = process.env.CHATBATTLE_TEST_KAFKA_IMAGE ?? offlineEnvironment().KAFKA_KRAFT_IMAGE;
  if (!image)
    throw new Error(
      "No Kafka stand-in image: run npm run offline:images first (it writes KAFKA_KRAFT_IMAGE to .offline/env).",
    );
  return image;
}

/** A KRaft cluster id: 16 random bytes, base64url without padding, as kafka-storage random-uuid makes. */
function clusterId(): string {
  return randomBytes(16).toString("base64url");
}

function serverProperties(
  id: number,
  brokerPorts: readonly number[],
  controllerPorts: readonly number[],
  users: KafkaUsers,
): string {
  const voters = controllerPorts.map((port, i) => `${i + 1}@127.0.0.1:${port}`).join(",");
  return [
    "process.roles=broker,controller",
    `node.id=${id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=BROKER://127.0.0.1:${brokerPorts[id - 1]},CONTROLLER://127.0.0.1:${controllerPorts[id - 1]}`,
    `advertised.listeners=BROKER://127.0.0.1:${brokerPorts[id - 1]}`,
    "listener.security.protocol.map=BROKER:SASL_SSL,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name=BROKER",
    "controller.listener.names=CONTROLLER",
    // Every mechanism the app offers (KAFKA_SASL_MECHANISM); the brokers talk SCRAM-SHA-512 among themselves.
    "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
    `listener.name.broker.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${users.admin.username}" password="${users.admin.password}";`,
    "listener.name.broker.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
    `listener.name.broker.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${users.client.username}="${users.client.password}";`,
    "ssl.keystore.type=PEM",
    "ssl.keystore.location=/conf/server-key-and-cert.pem",
    "ssl.truststore.type=PEM",
    "ssl.truststore.location=/conf/ca.pem",
    "log.dirs=/var/lib/kafka/data",
    "auto.create.topics.enable=false",
    "offsets.topic.replication.factor=3",
    "transaction.state.log.replication.factor=3",
    "transaction.state.log.min.isr=2",
    "group.initial.rebalance.delay.ms=0",
    // A killed broker leaves the in-sync replicas after 5 s instead of 30, and is fenced after 6 s instead of 9.
    "replica.lag.time.max.ms=5000",
    "broker.session.timeout.ms=6000",
    "broker.heartbeat.interval.ms=1000",
    "",
  ].join("\n");
}

/** Starts the three nodes and waits until a client logged in over SASL_SSL sees all of them. */
export async function startKafkaCluster(
  certificates: TestCertificates,
  options: { timeoutSeconds?: number } = {},
): Promise<RunningKafkaCluster> {
  const image = standInKafkaImage();
  const users: KafkaUsers = {
    admin: { username: "broker-admin", password: `admin-${randomBytes(8).toString("hex")}` },
    client: { username: "pipeline", password: `kafka-${randomBytes(8).toString("hex")}` },
  };
  const brokerPorts = [await freePort(), await freePort(), await freePort()];
  const controllerPorts = [await freePort(), await freePort(), await freePort()];
  const id = clusterId();
  const suffix = randomBytes(3).toString("hex");
  const names = [1, 2, 3].map((n) => `chatbattle-test-kafka-${suffix}-${n}`);
  const conf = mkdtempSync(join(tmpdir(), "chatbattle-kafka-conf-"));
  chmodSync(conf, 0o755);

  const scram = [
    ...[users.admin, users.client].map((u) => `'SCRAM-SHA-512=[name=${u.username},password=${u.password}]'`),
    `'SCRAM-SHA-256=[name=${users.client.username},password=${users.client.password}]'`,
  ].flatMap((credential) => ["--add-scram", credential]);
  const containers: string[] = [];
  const stop = async () => {
    if (containers.length > 0) docker(["rm", "--force", "--volumes", ...containers]);
    rmSync(conf, { recursive: true, force: true });
  };

  const started = Date.now();
  try {
    for (const n of [1, 2, 3]) {
      const nodeConf = join(conf, String(n));
      mkdirSync(nodeConf, { mode: 0o755 });
      writeFileSync(join(nodeConf, "server.properties"), serverProperties(n, brokerPorts, controllerPorts, users), {
        mode: 0o644,
      });
      writeFileSync(join(nodeConf, "ca.pem"), readFileSync(certificates.caPem, "utf8"), { mode: 0o644 });
      writeFileSync(join(nodeConf, "server-key-and-cert.pem"), readFileSync(certificates.serverKeyAndCertPem, "utf8"), {
        mode: 0o644,
      });
      // Format once (the SCRAM users go in with it); a restart finds the volume formatted and keeps it.
      const launch = [
        `run-class kafka.tools.StorageTool format --ignore-formatted -t ${id} -c /conf/server.properties ${scram.join(" ")}`,
        "&& LOG4J_CONFIG_FILE=/etc/kafka/log4j.properties KAFKA_HEAP_OPTS='-Xms384m -Xmx384m' exec run-class kafka.Kafka /conf/server.properties",
      ].join(" ");
      const run = docker([
        "run",
        "--detach",
        "--name",
        names[n - 1],
        "--network",
        "host",
        "--volume",
        `${nodeConf}:/conf:ro`,
        "--entrypoint",
        "bash",
        image,
        "-c",
        launch,
      ]);
      if (run.status !== 0) throw new Error(`docker run of ${image} failed: ${run.stderr}`);
      containers.push(names[n - 1]);
    }

    const cluster: RunningKafkaCluster = {
      brokers: brokerPorts.map((port) => `127.0.0.1:${port}`),
      users,
      startupSeconds: 0,
      containerOf: (n) => names[n - 1],
      clientTarget: () => ({
        brokers: brokerPorts.map((port) => `127.0.0.1:${port}`),
        tls: { ca: readFileSync(certificates.caPem, "utf8") },
        sasl: { mechanism: "scram-sha-512", ...users.client },
        describe: "the test cluster",
      }),
      kill: (n) => void docker(["kill", names[n - 1]]),
      start: (n) => void docker(["start", names[n - 1]]),
      stop,
    };

    const deadline = started + (options.timeoutSeconds ?? 180) * 1000;
    let last = "";
    for (;;) {
      try {
        const admin = await connectAdmin(cluster.clientTarget());
        try {
          const brokers = await admin.brokerIds();
          if (brokers.length === 3) return { ...cluster, startupSeconds: (Date.now() - started) / 1000 };
          last = `${brokers.length} broker(s) registered`;
        } finally {
          await admin.disconnect();
        }
      } catch (error) {
        last = (error as Error).message;
      }
      const exited = names.filter(
        (name) => docker(["inspect", "--format", "{{.State.Status}}", name]).stdout !== "running",
      );
      if (exited.length > 0 || Date.now() > deadline) {
        const logs = names
          .map((name) => `--- ${name}\n${docker(["logs", "--tail", "30", name]).stderr.slice(-3000)}`)
          .join("\n");
        throw new Error(
          `the Kafka cluster did not start (${exited.length > 0 ? `${exited.join(", ")} exited` : "timed out"}; last: ${last}):\n${logs}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
