/**
 * KAFKA_MODE=kraft end to end, with one broker and with three (replication 3,
 * min.insync.replicas 2): the user's own commands in a copy of the project on
 * an empty Docker engine, checked with the test's own Kafka client. Runs after
 * deploy.test.ts (files run one at a time) and removes what it created.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ENTRIES, copyProject, environmentWithoutSettings } from "../../test-support/project";
import { Steps } from "./steps";
import { consumed, produce, topicsAsReported } from "./clients";
import { offlineEnvironment } from "../../test-support/offline-env";
import { docker, runDocker } from "../../lib/adapters/docker/docker-cli";
import { findProjectObjects } from "../../lib/adapters/docker/project-objects";
import { planExitCodes as planExitCodesIn, requireEmptyEngine } from "./stack-checks";
import { roundTripAndHealthWithBrokerDown } from "./broker-down";
import { npmScript as npm } from "../../test-support/command";

const DEPLOY = 420;
const STOP = 240;
const QUICK = 90;
const STACKS = ["volumes", "network", "kafka", "cassandra", "topics", "schema"];
const allPlansEmpty = Object.fromEntries(STACKS.map((s) => [s, 0]));

/** Start-to-healthy of each broker, as Terraform measured its container's creation, per broker count. */
const brokerStartSeconds: Record<string, number[]> = {};
const allSteps: Steps[] = [];

describe.each([1, 3])("KAFKA_MODE=kraft with %i broker(s)", (brokers) => {
  const project = copyProject(APP_ENTRIES, `chatbattle-e2e-kraft${brokers}-`);
  const env = {
    ...environmentWithoutSettings(),
    ...offlineEnvironment(),
    CHECKPOINT_DISABLE: "1",
    FORCE_COLOR: "0",
    KAFKA_MODE: "kraft",
    KAFKA_BROKERS: String(brokers),
    // No replication settings: with three brokers the defaults are replication 3 and min.insync.replicas 2.
  };
  const steps = new Steps(project.dir, env);
  allSteps.push(steps);
  const bootstrap = Array.from({ length: brokers }, (_, i) => `127.0.0.1:${9092 + i}`);
  const access = { brokers: bootstrap };
  const containers = ["chatbattle-kafka", "chatbattle-kafka-2", "chatbattle-kafka-3"].slice(0, brokers);
  const message = `kraft${brokers}-${Date.now()}`;

  const planExitCodes = () => planExitCodesIn(project.dir, STACKS, env);

  beforeAll(requireEmptyEngine);

  afterAll(async () => {
    await steps.run("clean-up: npm run reset", npm("reset", "--yes"), QUICK).catch(() => undefined);
    project.remove();
  });

  it("deploys from nothing, first time: every broker healthy, no ZooKeeper anywhere", async () => {
    const result = await steps.run("cold deploy", npm("deploy"), DEPLOY);
    expect(result.status, result.output.slice(-4000)).toBe(0);
    expect(result.output).not.toMatch(/Error:/);
    brokerStartSeconds[brokers] = [
      ...result.output.matchAll(/kafka +docker_container\.\S+: Creation complete after (\d+)s/g),
    ].map((m) => Number(m[1]));
    expect(brokerStartSeconds[brokers]).toHaveLength(brokers);
    for (const name of containers)
      expect(docker(["inspect", "--format", "{{.State.Health.Status}}", name])).toBe("healthy");
    const objects = await findProjectObjects();
    expect([...objects.containers, ...objects.volumes].filter((n) => n.includes("zookeeper"))).toEqual([]);
    expect(objects.volumes).toEqual(["chatbattle-cassandra-data", ...containers.map((c) => `${c}-data`)].sort());
  });

  it("runs the brokers on the Kafka 4 line of the default KRaft image (the KAFKA_KRAFT_IMAGE stand-in)", () => {
    const kraftImage = offlineEnvironment().KAFKA_KRAFT_IMAGE ?? "confluentinc/cp-kafka:8.3.0";
    for (const name of containers) {
      expect(docker(["inspect", "--format", "{{.Image}}", name])).toBe(
        docker(["image", "inspect", "--format", "{{.Id}}", kraftImage]),
      );
      const version = /Kafka version: (\S+)/.exec(runDocker(["logs", name]).stdout)?.[1];
      console.log(`kraft: ${name} runs ${kraftImage}, Kafka ${version}`);
      expect(version).toMatch(/^4\./);
    }
  });

  it("has the topics exactly as declared, as the brokers report them", async () => {
    const minInsync = brokers === 3 ? { "min.insync.replicas": "2" } : {};
    expect(await topicsAsReported(access)).toEqual({
      "twitch-chat-messages": {
        partitions: 3,
        replicationFactor: brokers,
        config: { "retention.ms": "604800000", "cleanup.policy": "delete", ...minInsync },
      },
      "channel-stats": {
        partitions: 3,
        replicationFactor: brokers,
        config: {
          "retention.ms": "86400000",
          "cleanup.policy": "compact",
          "min.cleanable.dirty.ratio": "0.1",
          ...minInsync,
        },
      },
    });
  });

  it("round-trips a message with acks=all, and health shows every broker and the controller quorum", async () => {
    await produce(access, "twitch-chat-messages", message);
    expect(await consumed(access, "twitch-chat-messages", message)).toBe(true);
    const health = await steps.run("npm run health", npm("health"), QUICK);
    expect(health.status, health.output).toBe(0);
    expect(health.output).toMatch(
      new RegExp(
        `^kafka +chatbattle-kafka +running +healthy +yes +${brokers} broker\\(s\\) online; 2 topics as declared; no under-replicated partitions$`,
        "m",
      ),
    );
    expect(health.output).toMatch(
      new RegExp(
        `^quorum +chatbattle-kafka +- +- +yes +leader \\d, voters ${[1, 2, 3].slice(0, brokers).join(",")} of ${brokers}, max follower lag \\d+$`,
        "m",
      ),
    );
    if (brokers === 3) {
      // The partitions' leaders are spread over the brokers.
      const describe = await steps.run(
        "npm run topics -- describe",
        npm("topics", "describe", "twitch-chat-messages"),
        QUICK,
      );
      expect(describe.status, describe.output).toBe(0);
      const leaders = [...describe.output.matchAll(/^(\d) +(\d) +([\d,]+) +([\d,]+)$/gm)].map((m) => m[2]);
      expect(leaders.sort()).toEqual(["1", "2", "3"]);
    }
    const logs = await steps.run(
      "npm run logs -- kafka --tail 1 --no-follow",
      npm("logs", "kafka", "--tail", "1", "--no-follow"),
      QUICK,
    );
    expect(
      logs.output
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" |")[0].trim())
        .sort(),
    ).toEqual(["kafka", "kafka-2", "kafka-3"].slice(0, brokers));
  });

  if (brokers === 3) {
    it("with one broker stopped: acks=all still round-trips and health names the under-replicated partitions", async () => {
      docker(["stop", "chatbattle-kafka-2"]);
      const health = await roundTripAndHealthWithBrokerDown(
        steps,
        access,
        2,
        `${message}-one-down`,
        "npm run health (broker 2 stopped)",
      );
      console.log(`kraft: npm run health with broker 2 stopped:\n${health.output}`);
      expect(health.status).toBe(1);
      expect(health.output).toMatch(
        /^kafka +chatbattle-kafka +running +healthy +NO +2 broker\(s\) online; broker\(s\) 2 offline; \d+ under-replicated partition\(s\): channel-stats 0,1,2 \(2 of 3 in sync\); twitch-chat-messages 0,1,2 \(2 of 3 in sync\)/m,
      );
      expect(health.output).toMatch(/^kafka +chatbattle-kafka-2 +exited +\S+ +NO +container is exited$/m);
    });

    it("a deploy heals it: the broker is back, every plan is empty, health is green", async () => {
      const heal = await steps.run("heal: broker 2 stopped", npm("deploy"), DEPLOY);
      console.log(
        `kraft: the healing deploy:\n${heal.output
          .split("\n")
          .filter((l) => /Creation complete|Apply complete|deploy:/.test(l))
          .join("\n")}`,
      );
      expect(heal.status, heal.output.slice(-4000)).toBe(0);
      expect(await planExitCodes()).toEqual(allPlansEmpty);
      const health = await steps.run("npm run health -- --wait 120", npm("health", "--wait", "120"), 180);
      expect(health.status, health.output).toBe(0);
      console.log(`kraft: npm run health after the deploy:\n${health.output}`);
    });
  }

  it("keeps the data across npm run stop and a deploy", async () => {
    await steps.succeed("npm run stop", npm("stop"), STOP);
    expect((await findProjectObjects()).containers).toEqual([]);
    const start = await steps.run("start with data", npm("deploy"), DEPLOY);
    expect(start.status, start.output.slice(-4000)).toBe(0);
    expect(await consumed(access, "twitch-chat-messages", message)).toBe(true);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });

  it("refuses to switch to ZooKeeper mode on this data, naming the volumes, npm run migrate and npm run reset, and changes nothing", async () => {
    const ids = containers.map((c) => docker(["inspect", "--format", "{{.Id}}", c]));
    // Only the mode changes: the same brokers, replication and data.
    const switched = new Steps(project.dir, { ...env, KAFKA_MODE: "zookeeper" });
    allSteps.push(switched);
    const result = await switched.run("deploy with KAFKA_MODE=zookeeper", npm("deploy"), QUICK);
    console.log(
      `kraft: a switch to zookeeper mode:\n${result.output
        .split("\n")
        .filter((l) => /FAIL|preflight:/.test(l))
        .join("\n")}`,
    );
    expect(result.status).toBe(1);
    expect(result.output).toContain(
      `FAIL    Kafka data      volumes ${containers
        .map((c) => `${c}-data`)
        .sort()
        .join(
          ", ",
        )} hold data of KAFKA_MODE=kraft with ${brokers} broker(s), but the settings ask for KAFKA_MODE=zookeeper with ${brokers} broker(s)`,
    );
    expect(result.output).toContain("Move the data to the new settings with npm run migrate");
    expect(result.output).toContain("delete all data with npm run reset and deploy");
    expect(containers.map((c) => docker(["inspect", "--format", "{{.Id}}", c]))).toEqual(ids);
    expect(await planExitCodes()).toEqual(allPlansEmpty);
  });
});

afterAll(() => {
  console.log(`kraft: brokers' start-to-healthy (s): ${JSON.stringify(brokerStartSeconds)}`);
  console.log(`kraft: step times\n${allSteps.map((s) => s.table()).join("\n")}`);
});
