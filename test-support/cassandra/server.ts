/**
 * Starts a real one-node Cassandra for the integration tests: the Cassandra
 * stand-in image (Cassandra 4.1 on Java 11, the line the app deploys; see
 * images/cassandra), run with a cassandra.yaml of the test's own so that a test
 * can ask for a login or TLS. Its CQL port is published on a free loopback port.
 * Needs Docker and `npm run offline:images` (it names the image in .offline/env).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { offlineEnvironment } from "../offline-env";
import { runDocker as docker } from "../../lib/adapters/docker/docker-cli";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface RunningCassandra {
  readonly host: string;
  readonly port: number;
  readonly datacenter: string;
  /** Seconds from `docker run` until CQL answered. */
  readonly startupSeconds: number;
  /** Cassandra's version, as system.local reports it. */
  readonly releaseVersion: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** @default 180 */
  readonly timeoutSeconds?: number;
  /** Require a login (PasswordAuthenticator, superuser cassandra/cassandra). @default false */
  readonly passwordAuthentication?: boolean;
  /** Accept only TLS client connections, with this PKCS12 keystore. @default plain connections */
  readonly clientTls?: { readonly keystorePath: string; readonly password: string };
}

/** The Cassandra stand-in image that npm run offline:images built. */
export function standInCassandraImage(): string {
  const image = process.env.CHATBATTLE_TEST_CASSANDRA_IMAGE ?? offlineEnvironment().CASSANDRA_IMAGE;
  if (!image) {
    throw new Error(
      "No Cassandra stand-in image: run npm run offline:images first (it writes CASSANDRA_IMAGE to .offline/env).",
    );
  }
  return image;
}

// The JVM the stand-in's entrypoint starts, with the test's configuration folder first on the class path.
const LAUNCH = [
  'jvm=$(grep -v "^#" /etc/cassandra/jvm11.options | grep .);',
  "exec java -Xms512m -Xmx512m -javaagent:$(ls /opt/cassandra/lib/jamm-*.jar) $jvm",
  "-Dcassandra.config=file:///test-conf/cassandra.yaml -Dcassandra.storagedir=/var/lib/cassandra",
  "-Dcassandra.logdir=/var/log/cassandra -Dlogback.configurationFile=/etc/cassandra/logback.xml -Dcassandra-foreground=yes",
  // One node: nothing to wait for; create the default superuser at once instead of after 10 s.
  "-Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.superuser_setup_delay_ms=0",
  "-cp '/test-conf:/opt/cassandra/lib/*' org.apache.cassandra.service.CassandraDaemon",
].join(" ");

export async function startCassandra(options: StartOptions = {}): Promise<RunningCassandra> {
  const image = standInCassandraImage();
  const conf = mkdtempSync(join(tmpdir(), "chatbattle-cassandra-conf-"));
  chmodSync(conf, 0o755);
  const auth = options.passwordAuthentication
    ? "authenticator: PasswordAuthenticator\nauthorizer: CassandraAuthorizer\n"
    : "";
  const tls = options.clientTls
    ? [
        "client_encryption_options:",
        "  enabled: true",
        "  optional: false",
        "  keystore: /test-conf/keystore.p12",
        `  keystore_password: ${options.clientTls.password}`,
        "  store_type: PKCS12",
        "",
      ].join("\n")
    : "";
  writeFileSync(join(conf, "cassandra.yaml"), readFileSync(join(HERE, "cassandra.yaml"), "utf8") + auth + tls);
  writeFileSync(join(conf, "cassandra-rackdc.properties"), readFileSync(join(HERE, "cassandra-rackdc.properties")));
  if (options.clientTls) {
    // Cassandra runs as its own user in the image: give it a copy it can read.
    copyFileSync(options.clientTls.keystorePath, join(conf, "keystore.p12"));
    chmodSync(join(conf, "keystore.p12"), 0o644);
  }

  const name = `chatbattle-test-cassandra-${randomBytes(4).toString("hex")}`;
  const started = Date.now();
  const run = docker([
    "run",
    "--detach",
    "--name",
    name,
    "--publish",
    "127.0.0.1::9042",
    "--volume",
    `${conf}:/test-conf:ro`,
    "--entrypoint",
    "bash",
    image,
    "-c",
    LAUNCH,
  ]);
  const stop = async () => {
    docker(["rm", "--force", "--volumes", name]);
    rmSync(conf, { recursive: true, force: true });
  };
  if (run.status !== 0) {
    await stop();
    throw new Error(`docker run of ${image} failed: ${run.stderr}`);
  }
  const port = Number(/:(\d+)$/.exec(docker(["port", name, "9042/tcp"]).stdout.split("\n")[0])?.[1]);

  // Docker's proxy accepts connections on the published port at once, so wait for Cassandra's own word.
  const deadline = started + (options.timeoutSeconds ?? 180) * 1000;
  for (;;) {
    const logs = docker(["logs", name]);
    const text = `${logs.stdout}\n${logs.stderr}`;
    if (/Starting listening for CQL clients/.test(text)) {
      const releaseVersion = /Cassandra version: ([\d.]+)/.exec(text)?.[1] ?? "unknown";
      return {
        host: "127.0.0.1",
        port,
        datacenter: "dc1",
        startupSeconds: (Date.now() - started) / 1000,
        releaseVersion,
        stop,
      };
    }
    const state = docker(["inspect", "--format", "{{.State.Status}}", name]).stdout;
    if (state !== "running" || Date.now() > deadline) {
      await stop();
      throw new Error(
        `Cassandra did not start (${state !== "running" ? `the container is ${state}` : "timed out"}):\n${text.slice(-3000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
