/**
 * Image upgrades on a stack with data, with the user's commands in a copy
 * of the project: a patch bump of KAFKA_IMAGE (Kafka 3.9.1 to 3.9.2, the
 * stand-ins of cp-kafka 7.9.1 and 7.9.2) and CASSANDRA_IMAGE from the 4.1
 * line to 5.0, each a plain `npm run deploy` with the new image; every
 * record, group position and row (20,000 of them, with write times and
 * TTLs) checked with the test's own clients afterwards. Then a downgrade of
 * Cassandra (5.0 data, 4.1 image) is refused before anything changes, with
 * the stack running and with it stopped. Needs the stand-ins of
 * `npm run offline:images` (CASSANDRA_5_IMAGE, KAFKA_OLDER_PATCH_IMAGE).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ENTRIES, copyProject, environmentWithoutSettings } from "../../test-support/project";
import { Steps } from "./steps";
import { offlineEnvironment } from "../../test-support/offline-env";
import { docker } from "../../lib/adapters/docker/docker-cli";
import { requireEmptyEngine } from "./stack-checks";
import { withCassandra } from "./clients";
import {
  dataIdentity,
  describeIdentity,
  expectSameData,
  SAMPLE_GROUPS,
  writeSampleData,
  type DataIdentity,
} from "./data-identity";
import { npmScript as npm } from "../../test-support/command";

const DEPLOY = 420;
const STOP = 240;
const QUICK = 120;
const CQL = "127.0.0.1:9042";
const BROKERS = ["127.0.0.1:9092"];

const offline = offlineEnvironment();
const images = {
  kafkaBefore: offline.KAFKA_OLDER_PATCH_IMAGE,
  kafkaAfter: offline.KAFKA_IMAGE,
  cassandra41: offline.CASSANDRA_IMAGE,
  cassandra50: offline.CASSANDRA_5_IMAGE,
};
const env = { ...environmentWithoutSettings(), ...offline, CHECKPOINT_DISABLE: "1", FORCE_COLOR: "0" };
const project = copyProject(APP_ENTRIES, "chatbattle-e2e-upgrades-");
const steps = new Steps(project.dir, { ...env, KAFKA_IMAGE: images.kafkaBefore, CASSANDRA_IMAGE: images.cassandra41 });
const kafkaBumped = steps.withEnv({ KAFKA_IMAGE: images.kafkaAfter });
const cassandraUp = kafkaBumped.withEnv({ CASSANDRA_IMAGE: images.cassandra50 });
const cassandraDown = kafkaBumped.withEnv({ CASSANDRA_IMAGE: images.cassandra41 });
/** Whether a container runs this image (the Docker provider creates containers from an image's id). */
const runs = (container: string, image: string) =>
  docker(["inspect", "--format", "{{.Image}}", container]) ===
  docker(["image", "inspect", "--format", "{{.Id}}", image]);
const releaseVersion = () =>
  withCassandra(
    CQL,
    async (client) =>
      (await client.execute("SELECT release_version FROM system.local")).first().release_version as string,
  );
let original: DataIdentity;

beforeAll(async () => {
  for (const [what, image] of Object.entries(images))
    if (!image) throw new Error(`no ${what} stand-in in .offline/env: run npm run offline:images`);
  await requireEmptyEngine();
});

afterAll(async () => {
  await steps.run("clean-up: npm run reset", npm("reset", "--yes"), QUICK).catch(() => undefined);
  console.log(`upgrades: step times\n${steps.table()}`);
  project.remove();
});

describe("image upgrades keep the data", () => {
  it("deploys Kafka 3.9.1 and Cassandra 4.1, and takes 6,000 records, two groups' offsets and 20,000 rows", async () => {
    const deploy = await steps.run("cold deploy (Kafka 3.9.1, Cassandra 4.1)", npm("deploy"), DEPLOY);
    expect(deploy.status, deploy.output.slice(-4000)).toBe(0);
    await writeSampleData(BROKERS, CQL, { records: 6000, rows: 20_000 });
    original = await dataIdentity(BROKERS, CQL, SAMPLE_GROUPS);
    console.log(`upgrades: the data written\n${describeIdentity(original)}`);
    expect(original.rows).toHaveLength(20_001);
    expect(await releaseVersion()).toMatch(/^4\.1\./);
  });

  it("a patch bump of KAFKA_IMAGE replaces the broker and keeps every record and group position", async () => {
    const bump = await kafkaBumped.run("deploy with KAFKA_IMAGE 3.9.1 -> 3.9.2", npm("deploy"), DEPLOY);
    expect(bump.status, bump.output.slice(-4000)).toBe(0);
    expect(runs("chatbattle-kafka", images.kafkaAfter)).toBe(true);
    expectSameData(await dataIdentity(BROKERS, CQL, SAMPLE_GROUPS), original);
  });

  it("CASSANDRA_IMAGE from 4.1 to 5.0 drains the node first; 5.0 reads every row, the schema matches, health is green", async () => {
    const upgrade = await cassandraUp.run("deploy with CASSANDRA_IMAGE 4.1 -> 5.0", npm("deploy"), DEPLOY);
    console.log(
      `upgrades: the 4.1 -> 5.0 deploy (its Cassandra lines)\n${upgrade.output
        .split("\n")
        .filter((l) => /Cassandra data|^cassandra |deploy: done/.test(l))
        .join("\n")}`,
    );
    expect(upgrade.status, upgrade.output.slice(-4000)).toBe(0);
    expect(upgrade.output).toMatch(
      /^ok +Cassandra data +the volume was last run by Cassandra 4\.1\.\d+ \(the chatbattle-cassandra container\); upgrade to 5\.0\.\d+: the node is drained/m,
    );
    expect(upgrade.output).toMatch(
      /^cassandra +draining chatbattle-cassandra before its container is replaced by one of \S+: nodetool drain$/m,
    );
    expect(upgrade.output).toMatch(/^cassandra +drained in [\d.]+ s: every memtable flushed, no more writes taken$/m);
    expect(runs("chatbattle-cassandra", images.cassandra50)).toBe(true);
    expect(await releaseVersion()).toMatch(/^5\.0\./);
    const after = await dataIdentity(BROKERS, CQL, SAMPLE_GROUPS);
    console.log(`upgrades: after the upgrade to 5.0\n${describeIdentity(after)}`);
    expectSameData(after, original);
    expect((await cassandraUp.run("npm run schema:verify (5.0)", npm("schema:verify"), QUICK)).output).toContain(
      "schema: matches cql/",
    );
    const health = await cassandraUp.run("npm run health (5.0)", npm("health"), QUICK);
    expect(health.status, health.output).toBe(0);
  });

  it("refuses the 4.1 image on 5.0 data before anything changes, running and stopped; a snapshot is taken on 5.0 in between, the first step back the refusal names", async () => {
    const id = docker(["inspect", "--format", "{{.Id}}", "chatbattle-cassandra"]);
    const running = await cassandraDown.run("deploy with CASSANDRA_IMAGE 5.0 -> 4.1 (running)", npm("deploy"), QUICK);
    console.log(
      `upgrades: a downgrade:\n${running.output
        .split("\n")
        .filter((l) => /FAIL|preflight:/.test(l))
        .join("\n")}`,
    );
    expect(running.status).toBe(1);
    expect(running.output).toMatch(
      /^FAIL +Cassandra data +the volume was last run by Cassandra 5\.0\.\d+ \(the chatbattle-cassandra container\), and CASSANDRA_IMAGE=\S+ is Cassandra 4\.1\.\d+, an older line: it cannot read what 5\.0 wrote, so nothing was changed/m,
    );
    expect(docker(["inspect", "--format", "{{.Id}}", "chatbattle-cassandra"])).toBe(id);

    await cassandraUp.succeed("npm run snapshot -- save on-5.0", npm("snapshot", "save", "on-5.0"), QUICK);

    await cassandraUp.succeed("npm run stop", npm("stop"), STOP);
    const stopped = await cassandraDown.run("deploy with CASSANDRA_IMAGE 5.0 -> 4.1 (stopped)", npm("deploy"), QUICK);
    expect(stopped.status).toBe(1);
    expect(stopped.output).toMatch(
      /^FAIL +Cassandra data +the volume was last run by Cassandra 5\.0\.\d+ \(the last deploy's record\)/m,
    );
    expect(docker(["ps", "-a", "--filter", "name=chatbattle-cassandra", "--format", "{{.Names}}"])).toBe("");
  });

  it("goes back to 4.1 the way the refusal says: the snapshot taken on 5.0, reset, a 4.1 deploy, the snapshot restored", async () => {
    await cassandraDown.succeed("npm run reset -- --yes", npm("reset", "--yes"), QUICK);
    await cassandraDown.succeed("deploy on 4.1 from nothing", npm("deploy"), DEPLOY);
    const restore = await cassandraDown.succeed(
      "npm run snapshot -- restore on-5.0 (into 4.1)",
      npm("snapshot", "restore", "on-5.0"),
      QUICK,
    );
    expect(restore.output).toMatch(
      /restore: done in [\d.]+ s: 6,004 records and 20,001 rows, every count as the manifest says/,
    );
    expect(await releaseVersion()).toMatch(/^4\.1\./);
    expectSameData(await dataIdentity(BROKERS, CQL, SAMPLE_GROUPS), original);
  });
});
