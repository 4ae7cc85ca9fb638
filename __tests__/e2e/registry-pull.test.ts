/**
 * A first deploy on a machine that has none of the images: they come from a
 * real registry (crane registry serve, on the loopback) under their upstream
 * names, pulled by deploy before any stack runs, with their progress. Then a
 * tag the registry does not have stops the deploy before anything changes.
 * The stand-ins are pushed, removed from the engine for the test, and given
 * back their names afterwards (the pulled images are the same images).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ENTRIES, copyProject, environmentWithoutSettings } from "../../test-support/project";
import { Steps } from "./steps";
import { offlineEnvironment } from "../../test-support/offline-env";
import { startRegistry, type RunningRegistry } from "../../test-support/registry";
import { docker, dockerAsync, runDocker } from "../../lib/adapters/docker/docker-cli";
import { findProjectObjects } from "../../lib/adapters/docker/project-objects";
import { requireEmptyEngine } from "./stack-checks";
import { npmScript as npm } from "../../test-support/command";

const DEPLOY = 600;
const QUICK = 90;
const PUSH = 300;
/** `text` as a pattern that matches exactly it. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Each image setting of zookeeper mode, with the upstream name its stand-in is pushed under. */
const UPSTREAM = {
  ZOOKEEPER_IMAGE: "confluentinc/cp-zookeeper:7.9.2",
  KAFKA_IMAGE: "confluentinc/cp-kafka:7.9.2",
  CASSANDRA_IMAGE: "cassandra:4.1.11",
} as const;
type ImageSetting = keyof typeof UPSTREAM;
const SETTINGS = Object.keys(UPSTREAM) as ImageSetting[];

describe("a first deploy that pulls every image from a registry", () => {
  const project = copyProject(APP_ENTRIES, "chatbattle-e2e-pull-");
  const offline = offlineEnvironment();
  const standIns = Object.fromEntries(SETTINGS.map((s) => [s, offline[s]])) as Record<ImageSetting, string>;
  let registry: RunningRegistry;
  let steps: Steps;
  const inRegistry = (setting: ImageSetting) => `${registry.host}/${UPSTREAM[setting]}`;

  beforeAll(
    async () => {
      await requireEmptyEngine();
      for (const setting of SETTINGS) {
        if (!standIns[setting]) throw new Error(`No ${setting} in .offline/env: run npm run offline:images first.`);
      }
      registry = await startRegistry();
      // Side by side: each push spends most of its time compressing its own layers.
      await Promise.all(
        SETTINGS.map((setting) => {
          docker(["tag", standIns[setting], inRegistry(setting)]);
          return dockerAsync(["push", inRegistry(setting)], { deadlineSeconds: PUSH });
        }),
      );
      // None of them on the engine: only the layers of the Debian base they share stay (as any base layer a machine has).
      docker(["rmi", ...SETTINGS.flatMap((s) => [inRegistry(s), standIns[s]])]);
      steps = new Steps(project.dir, {
        ...environmentWithoutSettings(),
        ...offline,
        CHECKPOINT_DISABLE: "1",
        FORCE_COLOR: "0",
        ...Object.fromEntries(SETTINGS.map((s) => [s, inRegistry(s)])),
      });
    },
    (PUSH * 3 + 60) * 1000,
  );

  afterAll(
    async () => {
      await steps?.run("clean-up: npm run reset", npm("reset", "--yes"), QUICK).catch(() => undefined);
      // The stand-ins get their names back: from the pulled images, or pulled again when the deploy did not get them.
      for (const setting of SETTINGS) {
        if (!registry) break;
        if (runDocker(["image", "inspect", inRegistry(setting)]).status !== 0)
          runDocker(["pull", inRegistry(setting)], { deadlineSeconds: PUSH });
        runDocker(["tag", inRegistry(setting), standIns[setting]]);
        runDocker(["rmi", inRegistry(setting)]);
      }
      await registry?.stop();
      project.remove();
    },
    (PUSH * 3 + 120) * 1000,
  );

  it("pulls the images side by side with their progress in MB, then deploys healthy", async () => {
    const result = await steps.run("cold deploy, pulling every image", npm("deploy"), DEPLOY);
    const lines = result.output.split("\n");
    console.log(`pull: the first 20 lines of a cold deploy that pulls:\n${lines.slice(0, 20).join("\n")}`);
    expect(result.status, result.output.slice(-4000)).toBe(0);
    expect(result.output).toContain(
      `pull: 3 image(s) not on this Docker engine, pulling side by side: ${SETTINGS.map(inRegistry).join(", ")}`,
    );
    for (const setting of SETTINGS) {
      expect(result.output).toMatch(
        new RegExp(`pull: ${literal(inRegistry(setting))} +done, [\\d.]+ of [\\d.]+ MB, (\\d+) of \\1 layers`),
      );
    }
    expect(result.output).toMatch(/pull: 3 image\(s\), [\d.]+ MB, in [\d.]+ s/);
    // The pulls come before any stack, and the provider's docker_image resources then find the images here.
    expect(lines.findIndex((l) => /pull: 3 image\(s\), /.test(l))).toBeLessThan(
      lines.findIndex((l) => /docker_image\./.test(l)),
    );
    for (const name of ["chatbattle-zookeeper", "chatbattle-kafka", "chatbattle-cassandra"]) {
      expect(docker(["inspect", "--format", "{{.State.Health.Status}}", name])).toBe("healthy");
    }
  });

  it("stops before any stack changes when the registry has no such tag, naming the image, the answer and the setting", async () => {
    await steps.succeed("npm run reset", npm("reset", "--yes"), QUICK);
    const missing = `${registry.host}/confluentinc/cp-kafka:0.0.0-missing`;
    const result = await steps
      .withEnv({ KAFKA_IMAGE: missing })
      .run("deploy with a tag the registry lacks", npm("deploy"), DEPLOY);
    console.log(
      `pull: a tag the registry lacks:\n${result.output
        .split("\n")
        .filter((l) => /pull:|preflight:/.test(l))
        .join("\n")}`,
    );
    expect(result.status).toBe(1);
    expect(result.output).toMatch(
      new RegExp(
        `pull: FAIL ${literal(missing)}: the answer was ".*(manifest unknown|not found).*"\\. the registry \\(${literal(registry.host)}\\) has no such image or tag: check the tag of KAFKA_IMAGE in \\.env`,
      ),
    );
    expect(result.output).toContain("pull: 1 of 1 image(s) could not be pulled; no stack was changed");
    expect(result.output).not.toMatch(/Creating|Creation complete|terraform (init|plan|apply)/);
    const objects = await findProjectObjects();
    expect([...objects.containers, ...objects.networks, ...objects.volumes]).toEqual([]);
  });
});
