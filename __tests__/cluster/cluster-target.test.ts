/**
 * The cluster target end to end: `npm run deploy` with CHATBATTLE_TARGET=cluster
 * and STATE_BACKEND=pg against real servers the test starts (test-support/):
 * a three-broker Kafka 3.9 cluster in KRaft mode speaking SASL_SSL with
 * SCRAM-SHA-512, a Cassandra 4.1 node that wants a login and TLS, and a
 * PostgreSQL for the state. What the clusters hold is checked with the test's
 * own clients. Needs Docker, the stand-in images, Terraform with the providers,
 * openssl and PostgreSQL's Debian packages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { APP_ENTRIES, copyProject, environmentWithoutSettings } from "../../test-support/project";
import { Steps } from "../e2e/steps";
import { schemaAsReported, topicsAsReported, withCassandra } from "../e2e/clients";
import { offlineEnvironment } from "../../test-support/offline-env";
import { makeTestCertificates } from "../../test-support/tls";
import { startKafkaCluster, type RunningKafkaCluster } from "../../test-support/kafka/cluster";
import { startCassandra, type RunningCassandra } from "../../test-support/cassandra/server";
import { startPostgres, type RunningPostgres } from "../../test-support/postgres";
import { planExitCodes as planExitCodesIn } from "../e2e/stack-checks";
import { roundTripAndHealthWithBrokerDown } from "../e2e/broker-down";
import { npmScript as npm } from "../../test-support/command";

const DEPLOY = 300;
const QUICK = 90;

const certs = makeTestCertificates();
const cassandraUser = { username: "schema_admin", password: `cql-${randomBytes(8).toString("hex")}` };
let kafka: RunningKafkaCluster;
let cassandra: RunningCassandra;
let postgres: RunningPostgres;
let env: Record<string, string | undefined>;
const projects = [copyProject(APP_ENTRIES, "chatbattle-cluster-a-"), copyProject(APP_ENTRIES, "chatbattle-cluster-b-")];
let steps: Steps;
let otherSteps: Steps;
/** Every Steps of the test, so that all that was printed can be searched for secrets. */
const allSteps: Steps[] = [];
const stepsIn = (dir: string, stepEnv: Record<string, string | undefined>) => {
  const created = new Steps(dir, stepEnv);
  allSteps.push(created);
  return created;
};
const startTimes: Record<string, number> = {};

/** Every secret the deploy is given: none may show in cdktf.out, the state or the output. */
const secrets = () => [kafka.users.client.password, cassandraUser.password, postgres.password];

/** Creates a login of the test's own (the default superuser's password is the word "cassandra", useless to grep for). */
async function createCassandraUser(): Promise<void> {
  const ca = readFileSync(certs.caPem, "utf8");
  const contact = `${cassandra.host}:${cassandra.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await withCassandra(
        contact,
        (client) =>
          client.execute(
            `CREATE ROLE IF NOT EXISTS ${cassandraUser.username} WITH PASSWORD = '${cassandraUser.password}' AND LOGIN = true AND SUPERUSER = true`,
          ),
        { credentials: { username: "cassandra", password: "cassandra" }, ca },
      );
      return;
    } catch (error) {
      // The default superuser appears a moment after CQL opens.
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** `terraform plan -detailed-exitcode` in both stacks of a project copy: 0 means nothing to do. */
const planExitCodes = (projectDir: string) => planExitCodesIn(projectDir, ["topics", "schema"], env);

beforeAll(async () => {
  const timed = async <T>(name: string, start: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const server = await start();
    startTimes[name] = (Date.now() - started) / 1000;
    return server;
  };
  [kafka, cassandra, postgres] = await Promise.all([
    timed("kafka (3 brokers, KRaft, SASL_SSL)", () => startKafkaCluster(certs)),
    timed("cassandra (login, TLS)", () =>
      startCassandra({
        passwordAuthentication: true,
        clientTls: { keystorePath: certs.serverP12, password: "changeit" },
      }),
    ),
    timed("postgresql", () => startPostgres()),
  ]);
  await createCassandraUser();
  console.log(
    `cluster: servers up: ${Object.entries(startTimes)
      .map(([name, s]) => `${name} ${s.toFixed(1)} s`)
      .join(", ")}`,
  );

  env = {
    ...environmentWithoutSettings(),
    ...offlineEnvironment(),
    CHECKPOINT_DISABLE: "1",
    FORCE_COLOR: "0",
    CHATBATTLE_TARGET: "cluster",
    STATE_BACKEND: "pg",
    PG_CONN_STR: postgres.connectionString,
    KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(","),
    KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
    KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
    KAFKA_SASL_USERNAME: kafka.users.client.username,
    KAFKA_SASL_PASSWORD: kafka.users.client.password,
    KAFKA_CA_CERT: certs.caPem,
    CASSANDRA_CONTACT_POINTS: `${cassandra.host}:${cassandra.port}`,
    CASSANDRA_LOCAL_DATACENTER: cassandra.datacenter,
    CASSANDRA_REPLICATION: `${cassandra.datacenter}:1`,
    CASSANDRA_USERNAME: cassandraUser.username,
    CASSANDRA_PASSWORD: cassandraUser.password,
    CASSANDRA_TLS: "true",
    CASSANDRA_TLS_CA_FILE: certs.caPem,
  };
  steps = stepsIn(projects[0].dir, env);
  otherSteps = stepsIn(projects[1].dir, env);
}, 600_000);

afterAll(async () => {
  console.log(`cluster: step timings\n${allSteps.map((s) => s.table()).join("\n")}`);
  await Promise.all([kafka?.stop(), cassandra?.stop()]);
  postgres?.stop();
  certs.remove();
  for (const project of projects) project.remove();
});

describe("CHATBATTLE_TARGET=cluster with STATE_BACKEND=pg", () => {
  it("preflight: the login is accepted and three brokers carry replication 3", async () => {
    const result = await steps.succeed("preflight", npm("preflight"), QUICK);
    console.log(`cluster: preflight:\n${result.output}`);
    expect(result.output).toMatch(/ok +Kafka brokers +3 online \(ids 1, 2, 3\); replication factor 3 fits/);
    expect(result.output).toMatch(/ok +Cassandra .*user schema_admin, password set, TLS on: CQL answers/);
    expect(result.output).not.toMatch(/Docker|port \d+/);
  });

  it.each(["PLAIN", "SCRAM-SHA-256"])("preflight: the login with %s over TLS is accepted too", async (mechanism) => {
    const result = await steps
      .withEnv({ KAFKA_SASL_MECHANISM: mechanism })
      .succeed(`preflight (${mechanism})`, npm("preflight"), QUICK);
    expect(result.output).toMatch(new RegExp(`ok +Kafka +.*\\(SASL_SSL, ${mechanism} as pipeline\\): login accepted`));
    expect(result.output).toMatch(/ok +Kafka brokers +3 online \(ids 1, 2, 3\)/);
  });

  it("deploy creates the topics with replication 3, min.insync.replicas=2 and the seed's configs", async () => {
    const result = await steps.succeed("deploy (cold)", npm("deploy"), DEPLOY);
    console.log(`cluster: cold deploy:\n${result.output}`);
    expect(result.output).toMatch(/deploy: done in/);
    const reported = await topicsAsReported(kafka.clientTarget());
    expect(reported).toEqual({
      "twitch-chat-messages": {
        partitions: 3,
        replicationFactor: 3,
        config: { "retention.ms": "604800000", "cleanup.policy": "delete", "min.insync.replicas": "2" },
      },
      "channel-stats": {
        partitions: 3,
        replicationFactor: 3,
        config: {
          "retention.ms": "86400000",
          "cleanup.policy": "compact",
          "min.cleanable.dirty.ratio": "0.1",
          "min.insync.replicas": "2",
        },
      },
    });
  });

  it("applies the schema with NetworkTopologyStrategy, and schema:verify agrees", async () => {
    await steps.succeed("schema:verify", npm("schema:verify"), QUICK);
    const schema = await withCassandra(
      `${cassandra.host}:${cassandra.port}`,
      (client) => schemaAsReported(client, "twitch_chat", "raw_chat_messages"),
      {
        credentials: cassandraUser,
        ca: readFileSync(certs.caPem, "utf8"),
      },
    );
    expect(schema.replication).toEqual({
      class: "org.apache.cassandra.locator.NetworkTopologyStrategy",
      [cassandra.datacenter]: "1",
    });
  });

  it("a second deploy changes nothing, and every plan is empty", async () => {
    const result = await steps.succeed("deploy (no change)", npm("deploy"), DEPLOY);
    expect(result.output).not.toMatch(/Resources: [1-9]\d* (added|changed|destroyed)|Resources: \d+ added, [1-9]/);
    expect(await planExitCodes(projects[0].dir)).toEqual({ topics: 0, schema: 0 });
  });

  it("lists the topics with their replication on the cluster", async () => {
    const result = await steps.succeed("topics", npm("topics"), QUICK);
    expect(result.output).toMatch(/channel-stats +3 +3 +yes/);
    expect(result.output).toMatch(/twitch-chat-messages +3 +3 +yes/);
  });

  it("with one broker killed: acks=all still round-trips and health names the under-replicated partitions; back, health is green", async () => {
    kafka.kill(3);
    try {
      // The test's own client starts from the live brokers: kafkajs retries a refused seed broker until
      // its retries run out instead of trying the next one (seen here: ECONNREFUSED after 8.8 s).
      const live = { ...kafka.clientTarget(), brokers: kafka.brokers.filter((_, i) => i !== 2) };
      // The broker is fenced and dropped from the in-sync replicas within seconds (see test-support/kafka/cluster.ts).
      const health = await roundTripAndHealthWithBrokerDown(
        steps,
        live,
        3,
        `broker-down-${Date.now()}`,
        "health (broker down)",
      );
      console.log(`cluster: npm run health with broker 3 down:\n${health.output}`);
      expect(health.status).toBe(1);
      expect(health.output).toMatch(/broker\(s\) 3 offline/);
      expect(health.output).toMatch(
        /\d+ under-replicated partition\(s\): channel-stats 0,1,2 \(2 of 3 in sync\); twitch-chat-messages 0,1,2 \(2 of 3 in sync\); __consumer_offsets 50 partitions \(2 of 3 in sync\)/,
      );
    } finally {
      // Whatever failed above, the tests after this one get their three brokers back.
      kafka.start(3);
    }
    const healed = await steps.succeed("health --wait (broker back)", npm("health", "--wait", "120"), 180);
    console.log(`cluster: npm run health with broker 3 back:\n${healed.output}`);
    expect(healed.output).toMatch(
      /kafka +\S+ +yes +3 broker\(s\) online; 2 topics as declared; no under-replicated partitions/,
    );
  });

  it("two deploys started at once from two copies: both end well and the state stays intact", async () => {
    const [first, second] = await Promise.all([
      steps.run("deploy (concurrent, copy A)", npm("deploy"), DEPLOY),
      otherSteps.run("deploy (concurrent, copy B)", npm("deploy"), DEPLOY),
    ]);
    expect(first.status, first.output).toBe(0);
    expect(second.status, second.output).toBe(0);
    expect(await planExitCodes(projects[0].dir)).toEqual({ topics: 0, schema: 0 });
    const states =
      postgres.query("SELECT count(*) FROM chatbattle_topics.states") +
      "," +
      postgres.query("SELECT count(*) FROM chatbattle_schema.states");
    expect(states).toBe("1,1");
    const topicsState = JSON.parse(postgres.query("SELECT data FROM chatbattle_topics.states WHERE name = 'default'"));
    expect(topicsState.resources.map((r: { type: string; name: string }) => `${r.type}.${r.name}`).sort()).toEqual([
      "kafka_topic.topic-channel-stats",
      "kafka_topic.topic-twitch-chat-messages",
    ]);
  });

  it("a deploy that finds the state locked by another run waits STATE_LOCK_TIMEOUT, then fails clearly, changing nothing", async () => {
    // Another run holds the topics stack's lock in PostgreSQL: a Terraform console keeps it while open.
    const holder = spawn("terraform", ["console"], {
      cwd: join(projects[1].dir, "cdktf.out", "stacks", "topics"),
      env: { ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    // A holder that could not start (no Terraform on PATH, no synthesized stack) fails this test, said, not the run.
    let holderError: Error | undefined;
    holder.on("error", (error) => (holderError = error));
    try {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      expect(holderError, "the Terraform console that holds the lock did not start").toBeUndefined();
      const lockedSteps = stepsIn(projects[0].dir, { ...env, STATE_LOCK_TIMEOUT: "5" });
      const result = await lockedSteps.run("deploy (state locked)", npm("deploy"), DEPLOY);
      console.log(`cluster: deploy against a held lock:\n${result.output}`);
      expect(result.status).toBe(1);
      expect(result.output).toMatch(
        /topics +state is locked by another run \(.*\); waited 5 s \(STATE_LOCK_TIMEOUT\) and changed nothing/,
      );
      expect(result.output).toMatch(/deploy: the state of topics is locked by another run/);
    } finally {
      // Listening before the kill, and not at all when it already ended: a close that happened is never awaited.
      const closed =
        holder.exitCode !== null || holder.signalCode !== null
          ? Promise.resolve()
          : new Promise((resolve) => holder.once("close", resolve));
      holder.stdin.end();
      holder.kill("SIGTERM");
      await closed;
    }
    await steps.succeed("deploy (lock released)", npm("deploy"), DEPLOY);
    expect(await planExitCodes(projects[0].dir)).toEqual({ topics: 0, schema: 0 });
  });

  it("a deploy after STATE_BACKEND changed stops at init with the command that moves the state, changing nothing", async () => {
    const switched = stepsIn(projects[1].dir, { ...env, STATE_BACKEND: "local" });
    const result = await switched.run("deploy (backend switched)", npm("deploy"), DEPLOY);
    console.log(
      `cluster: deploy after switching STATE_BACKEND to local:\n${result.output.split("\n").slice(-3).join("\n")}`,
    );
    expect(result.status).toBe(1);
    expect(result.output).toMatch(
      /the state backend of (topics, schema|schema, topics) changed \(STATE_BACKEND\).*nothing was changed/,
    );
    expect(result.output).toMatch(/terraform -chdir=cdktf.out\/stacks\/topics init -migrate-state/);
    expect(existsSync(join(projects[1].dir, "state"))).toBe(false);
    expect(await planExitCodes(projects[0].dir)).toEqual({ topics: 0, schema: 0 });
  });

  it("refuses a replication factor above the brokers online before anything is applied, naming both counts", async () => {
    const tooMany = stepsIn(projects[0].dir, {
      ...env,
      KAFKA_TOPIC_REPLICATION_FACTOR: "4",
      KAFKA_MIN_INSYNC_REPLICAS: "2",
    });
    const result = await tooMany.run("deploy (replication 4 on 3 brokers)", npm("deploy"), QUICK);
    console.log(
      `cluster: deploy with replication 4 on 3 brokers:\n${result.output
        .split("\n")
        .filter((l) => /FAIL|preflight:/.test(l))
        .join("\n")}`,
    );
    expect(result.status).toBe(1);
    expect(result.output).toMatch(
      /FAIL +Kafka brokers +replication factor 4 needs at least 4 brokers, but 3 are online \(ids 1, 2, 3\); bring the others back, or lower KAFKA_TOPIC_REPLICATION_FACTOR/,
    );
    expect(result.output).toMatch(/nothing was changed/);
    expect(await planExitCodes(projects[0].dir)).toEqual({ topics: 0, schema: 0 });
  });

  it("refuses fewer partitions on the shared cluster, naming the messages it would lose, and applies nothing", async () => {
    const fewer = stepsIn(projects[0].dir, { ...env, KAFKA_TOPIC_PARTITIONS: "2" });
    const result = await fewer.run("deploy (fewer partitions, refused)", npm("deploy"), DEPLOY);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(
      /^ {2}topic twitch-chat-messages \(topics stack\): would be deleted and created again, empty, because partitions 3 → 2; Kafka cannot lower a topic's partitions\. It holds 3 partition\(s\), [1-9]\d* message\(s\)\.$/m,
    );
    expect(result.output).toContain("deploy: nothing was applied (see above).");
    expect((await topicsAsReported(kafka.clientTarget()))["twitch-chat-messages"].partitions).toBe(3);
    // cdktf.out now holds what was refused; a deploy with the settings as they were changes nothing.
    const again = await steps.succeed("deploy (partitions as declared)", npm("deploy"), DEPLOY);
    expect(again.output).not.toMatch(/Resources: [1-9]\d* (added|changed|destroyed)|Resources: \d+ added, [1-9]/);
    expect(await planExitCodes(projects[0].dir)).toEqual({ topics: 0, schema: 0 });
  });

  it("a fresh clone with its state in local files (the default), pointed at the shared cluster with fewer partitions: npm run plan shows the adopted topics' loss (exit 3) and deploy refuses it, changing nothing", async () => {
    const fresh = copyProject(APP_ENTRIES, "chatbattle-cluster-fresh-");
    try {
      const freshSteps = stepsIn(fresh.dir, { ...env, STATE_BACKEND: "local", KAFKA_TOPIC_PARTITIONS: "2" });
      const plan = await freshSteps.run(
        "npm run plan -- --json (fresh clone, fewer partitions)",
        npm("plan", "--json"),
        DEPLOY,
      );
      expect(plan.status).toBe(3);
      const json = JSON.parse(plan.output.slice(plan.output.indexOf("{"), plan.output.lastIndexOf("}") + 1));
      expect(json.stacks.find((s: { stack: string }) => s.stack === "topics").changes).toContainEqual(
        expect.objectContaining({
          class: "loses-data",
          subject: "topic twitch-chat-messages",
          lost: expect.objectContaining({ exact: true }),
        }),
      );
      const result = await freshSteps.run("deploy (fresh clone, fewer partitions, refused)", npm("deploy"), DEPLOY);
      console.log(
        `cluster: a fresh clone's deploy with fewer partitions:\n${result.output.slice(result.output.indexOf("deploy: refused"))}`,
      );
      expect(result.status).toBe(1);
      expect(result.output).toMatch(
        /^ {2}topic twitch-chat-messages \(topics stack\): exists but no state recorded it, so it is adopted, and then would be deleted and created again, empty, because partitions 3 → 2; Kafka cannot lower a topic's partitions\. It holds 3 partition\(s\), [1-9]\d* message\(s\)\.$/m,
      );
      expect(result.output).toContain("deploy: nothing was applied (see above).");
      expect((await topicsAsReported(kafka.clientTarget()))["twitch-chat-messages"].partitions).toBe(3);
      expect(await planExitCodes(projects[0].dir)).toEqual({ topics: 0, schema: 0 });
    } finally {
      fresh.remove();
    }
  });

  it("a wrong SASL password fails fast, with a clear message that does not print it", async () => {
    const wrong = `wrong-${randomBytes(6).toString("hex")}`;
    const wrongSteps = stepsIn(projects[0].dir, { ...env, KAFKA_SASL_PASSWORD: wrong });
    const result = await wrongSteps.run("deploy (wrong SASL password)", npm("deploy"), QUICK);
    console.log(`cluster: deploy with a wrong SASL password (${result.seconds.toFixed(1)} s):\n${result.output}`);
    expect(result.status).toBe(1);
    expect(result.seconds).toBeLessThan(QUICK);
    expect(result.output).toMatch(
      /FAIL +Kafka +.*refused the login: .*Check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM/,
    );
    expect(result.output).toMatch(/nothing was changed/);
    expect(result.output).not.toContain(wrong);
    expect(await planExitCodes(projects[0].dir)).toEqual({ topics: 0, schema: 0 });
  });

  it("no password is in cdktf.out, in the state in PostgreSQL, or in anything a command printed", () => {
    const texts = projects.flatMap((p) =>
      filesUnder(join(p.dir, "cdktf.out"))
        .filter((f) => !f.includes(`${join(".terraform", "providers")}`))
        .map((f) => [f, readFileSync(f, "utf8")]),
    );
    expect(texts.length).toBeGreaterThan(4);
    const state = postgres.query(
      "SELECT string_agg(data, '') FROM (SELECT data FROM chatbattle_topics.states UNION ALL SELECT data FROM chatbattle_schema.states) s",
    );
    expect(state.length).toBeGreaterThan(100);
    for (const secret of secrets()) {
      for (const [file, text] of texts) expect(text.includes(secret), `${secret.slice(0, 4)}… in ${file}`).toBe(false);
      expect(state.includes(secret), `${secret.slice(0, 4)}… in the state`).toBe(false);
      expect(
        allSteps.some((s) => s.outputs.some((o) => o.includes(secret))),
        `${secret.slice(0, 4)}… printed`,
      ).toBe(false);
    }
  });
});
