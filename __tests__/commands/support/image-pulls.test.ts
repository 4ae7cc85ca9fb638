/**
 * The pieces of deploy's image pulls that need no engine: reading the
 * engine's progress stream, the advice for each kind of failed pull,
 * credentials from the docker CLI's config, and where the engine listens.
 * The pull itself runs against a real registry in __tests__/e2e/registry-pull.test.ts.
 */
import { describe, expect, it } from "vitest";
import { engineAddress, foldPullMessage, registryAuth } from "../../../lib/adapters/docker/image-pull";
import { registryOf } from "../../../lib/adapters/docker/images";
import { describeProgress, downloadedBytes, pullAdvice } from "../../../lib/commands/support/image-pulls";

describe("the engine's pull stream", () => {
  it("adds up each layer's bytes, and counts a layer done once it is unpacked or already here", () => {
    const layers = new Map<string, { done: number; total: number; complete: boolean }>();
    const messages = [
      { status: "Pulling from confluentinc/cp-kafka", id: "8.3.0" },
      { status: "Pulling fs layer", id: "a" },
      { status: "Pulling fs layer", id: "b" },
      { status: "Already exists", id: "c" },
      { status: "Downloading", id: "a", progressDetail: { current: 1048576, total: 4194304 } },
      { status: "Downloading", id: "b", progressDetail: { current: 2097152, total: 2097152 } },
      { status: "Download complete", id: "b" },
      { status: "Extracting", id: "b", progressDetail: { current: 100, total: 2097152 } },
      { status: "Pull complete", id: "b" },
      { status: "Digest: sha256:abc" },
    ];
    for (const message of messages) foldPullMessage(layers, message);
    expect([...layers.keys()]).toEqual(["a", "b", "c"]);
    let done = 0;
    let total = 0;
    for (const layer of layers.values()) {
      done += layer.done;
      total += layer.total;
    }
    expect({ done, total, complete: [...layers.values()].filter((l) => l.complete).length }).toEqual({
      done: 3145728,
      total: 6291456,
      complete: 2,
    });
    expect(describeProgress({ image: "x:1", doneBytes: done, totalBytes: total, layers: 3, layersDone: 2 })).toBe(
      "3.0 of 6.0 MB, 2 of 3 layers",
    );
    expect(describeProgress({ image: "x:1", doneBytes: 0, totalBytes: 0, layers: 2, layersDone: 0 })).toBe(
      "0 of 2 layers",
    );
  });
});

describe("the summary's megabytes", () => {
  it("counts a layer that two images share once, and a layer already here not at all", () => {
    const outcomes = [
      {
        image: "zookeeper:1",
        ok: true as const,
        layerBytes: new Map([
          ["base", 0],
          ["jars", 50],
          ["zk", 1],
        ]),
      },
      {
        image: "kafka:1",
        ok: true as const,
        layerBytes: new Map([
          ["base", 0],
          ["jars", 50],
          ["kafka", 2],
        ]),
      },
      { image: "missing:1", ok: false as const, answer: "manifest unknown" },
    ];
    expect(downloadedBytes(outcomes)).toBe(53);
  });
});

describe("a failed pull's advice", () => {
  it.each([
    [
      "manifest for confluentinc/cp-kafka:8.9.9 not found: manifest unknown: manifest unknown",
      /the registry \(docker\.io\) has no such image or tag: check the tag of KAFKA_IMAGE in \.env/,
    ],
    [
      "pull access denied for confluentinc/cp-kafka, repository does not exist or may require 'docker login'",
      /the registry \(docker\.io\) has no such image or tag: check the tag of KAFKA_IMAGE/,
    ],
    ["unauthorized: authentication required", /refused access .*: run docker login, then npm run deploy again/],
    [
      'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
      /docker\.io could not be reached: .*npm run offline:images/,
    ],
  ])("%s", (answer, advice) => {
    expect(pullAdvice("confluentinc/cp-kafka:8.9.9", "KAFKA_IMAGE", answer, "docker.io")).toMatch(advice);
  });

  it("names a private registry in docker login", () => {
    expect(
      pullAdvice(
        "registry.example.com:5000/kafka:1",
        "KAFKA_KRAFT_IMAGE",
        "denied: requested access to the resource is denied",
        registryOf("registry.example.com:5000/kafka:1").host,
      ),
    ).toContain("run docker login registry.example.com:5000, then");
  });
});

describe("credentials and the engine's address", () => {
  const basic = Buffer.from("me:secret:with:colons").toString("base64");

  it("sends the docker CLI's stored login for the image's registry, and leaves helpers to the CLI", () => {
    const header = registryAuth("docker.io", { auths: { "https://index.docker.io/v1/": { auth: basic } } });
    expect(JSON.parse(Buffer.from(header!, "base64url").toString("utf8"))).toEqual({
      username: "me",
      password: "secret:with:colons",
      serveraddress: "https://index.docker.io/v1/",
    });
    expect(registryAuth("docker.io", {})).toBeUndefined();
    expect(registryAuth("ghcr.io", { credsStore: "desktop", auths: { "ghcr.io": {} } })).toBe("helper");
    expect(registryAuth("ghcr.io", { credHelpers: { "ghcr.io": "gcloud" } })).toBe("helper");
  });

  it("talks to the engine's socket or plain TCP, and leaves TLS, ssh and contexts to the CLI", () => {
    expect(engineAddress({})).toEqual({ socketPath: "/var/run/docker.sock" });
    expect(engineAddress({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" })).toEqual({
      socketPath: "/run/user/1000/docker.sock",
    });
    expect(engineAddress({ DOCKER_HOST: "tcp://127.0.0.1:2375" })).toEqual({ host: "127.0.0.1", port: 2375 });
    expect(engineAddress({ DOCKER_HOST: "tcp://10.0.0.2:2376", DOCKER_TLS_VERIFY: "1" })).toBeUndefined();
    expect(engineAddress({ DOCKER_HOST: "ssh://me@host" })).toBeUndefined();
    expect(engineAddress({ DOCKER_CONTEXT: "remote" })).toBeUndefined();
  });
});
