/**
 * Starts a real one-node Cassandra 5.0 from its Maven Central jars on Java 17,
 * for the integration tests. The jars are cached (keyed by a hash of the pom)
 * in $CHATBATTLE_CACHE (default ~/.cache/chatbattle); data goes to a fresh
 * temporary folder that stop() deletes.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
// Jars and JVM flags are shared with the Cassandra stand-in image.
const IMAGE_DIR = join(HERE, "../../images/cassandra");

export interface RunningCassandra {
  readonly host: string;
  readonly port: number;
  readonly datacenter: string;
  /** Seconds from launching the JVM until CQL answered. */
  readonly startupSeconds: number;
  /** Seconds spent resolving jars (0 when cached). */
  readonly jarSeconds: number;
  stop(): Promise<void>;
}

function cacheDir(): string {
  return process.env.CHATBATTLE_CACHE ?? join(homedir(), ".cache", "chatbattle");
}

/** The jar folder for the pom, resolving it with Maven on first use. */
export function ensureJars(): { dir: string; seconds: number } {
  const pom = join(IMAGE_DIR, "pom.xml");
  // The same folder scripts/offline-images.sh uses for this pom (jars-<first 12 hex of its sha256>),
  // so the jars are resolved once for the tests and the stand-in image.
  const key = createHash("sha256").update(readFileSync(pom)).digest("hex").slice(0, 12);
  const dir = join(cacheDir(), `jars-${key}`);
  if (existsSync(join(dir, ".complete"))) return { dir, seconds: 0 };
  const started = Date.now();
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const mvn = spawnSync("mvn", ["-q", "-B", "-f", pom, "dependency:copy-dependencies", `-DoutputDirectory=${partial}`], {
    encoding: "utf8",
  });
  if (mvn.error || mvn.status !== 0) {
    throw new Error(`Could not resolve the Cassandra jars with Maven (is mvn installed?): ${mvn.error?.message ?? mvn.stdout + mvn.stderr}`);
  }
  writeFileSync(join(partial, ".complete"), "");
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return { dir, seconds: (Date.now() - started) / 1000 };
}

function javaBinary(): string {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
  const version = spawnSync(java, ["-version"], { encoding: "utf8" });
  const match = /version "(\d+)/.exec(version.stderr ?? "");
  if (!match || !["11", "17"].includes(match[1])) {
    throw new Error(`Cassandra 5.0 needs Java 11 or 17; '${java} -version' said: ${version.stderr || version.error?.message}. Set JAVA_HOME.`);
  }
  return java;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface StartOptions {
  /** @default 180 */
  readonly timeoutSeconds?: number;
  /** Require a login (PasswordAuthenticator, superuser cassandra/cassandra). @default false */
  readonly passwordAuthentication?: boolean;
  /** Accept only TLS client connections, with this PKCS12 keystore. @default plain connections */
  readonly clientTls?: { readonly keystorePath: string; readonly password: string };
}

export async function startCassandra(options: StartOptions = {}): Promise<RunningCassandra> {
  const jars = ensureJars();
  const java = javaBinary();
  const home = mkdtempSync(join(tmpdir(), "chatbattle-cassandra-"));
  const conf = join(home, "conf");
  mkdirSync(conf);
  const nativePort = await freePort();
  const storagePort = await freePort();
  const yaml = readFileSync(join(HERE, "cassandra.yaml"), "utf8")
    .replaceAll("${DATA_DIR}", home)
    .replaceAll("${STORAGE_PORT}", String(storagePort))
    .replaceAll("${NATIVE_PORT}", String(nativePort));
  const auth = options.passwordAuthentication
    ? "authenticator: PasswordAuthenticator\nauthorizer: CassandraAuthorizer\n"
    : "";
  const tls = options.clientTls
    ? [
        "client_encryption_options:",
        "  enabled: true",
        "  optional: false",
        `  keystore: ${options.clientTls.keystorePath}`,
        `  keystore_password: ${options.clientTls.password}`,
        "  store_type: PKCS12",
        "",
      ].join("\n")
    : "";
  writeFileSync(join(conf, "cassandra.yaml"), yaml + auth + tls);
  writeFileSync(join(conf, "cassandra-rackdc.properties"), readFileSync(join(HERE, "cassandra-rackdc.properties")));

  const jvmOptions = readFileSync(join(IMAGE_DIR, "jvm17.options"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .flatMap((l) => l.split(/\s+/));
  const jamm = readdirSync(jars.dir).find((f) => /^jamm-.*\.jar$/.test(f));
  const args = [
    "-Xms512m",
    "-Xmx512m",
    ...(jamm ? [`-javaagent:${join(jars.dir, jamm)}`] : []),
    ...jvmOptions,
    `-Dcassandra.config=file://${join(conf, "cassandra.yaml")}`,
    `-Dcassandra.logdir=${home}`,
    `-Dcassandra.storagedir=${home}`,
    `-Dlogback.configurationFile=${join(HERE, "logback.xml")}`,
    "-Dcassandra-foreground=yes",
    // One node: nothing to wait for.
    "-Dcassandra.skip_wait_for_gossip_to_settle=0",
    "-Djava.net.preferIPv4Stack=true",
    // Create the default superuser at once instead of after 10 s.
    "-Dcassandra.superuser_setup_delay_ms=0",
    "-cp",
    `${conf}:${join(jars.dir, "*")}`,
    "org.apache.cassandra.service.CassandraDaemon",
  ];

  const started = Date.now();
  const child: ChildProcess = spawn(java, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.once("exit", () => (exited = true));

  const stop = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(home, { recursive: true, force: true });
  };

  const deadline = started + (options.timeoutSeconds ?? 180) * 1000;
  while (!(await accepts(nativePort))) {
    if (exited || Date.now() > deadline) {
      const log = existsSync(join(home, "system.log")) ? readFileSync(join(home, "system.log"), "utf8").slice(-3000) : "";
      await stop();
      throw new Error(`Cassandra did not start (${exited ? "the JVM exited" : "timed out"}).\n${stderr}\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    host: "127.0.0.1",
    port: nativePort,
    datacenter: "dc1",
    startupSeconds: (Date.now() - started) / 1000,
    jarSeconds: jars.seconds,
    stop,
  };
}
