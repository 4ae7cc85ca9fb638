/**
 * Where providers and images come from, against real answers: a local HTTP
 * server stands for a registry that answers (with a 401, as registries do
 * without credentials), a port nothing listens on for one that does not.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answers, checkProviderSource } from "../../lib/checks/sources";
import { registryOf } from "../../lib/adapters/docker/images";

let registry: Server;
let registryUrl = "";
let closedUrl = "";
const dir = mkdtempSync(join(tmpdir(), "chatbattle-sources-"));

beforeAll(async () => {
  registry = createServer((_, response) => response.writeHead(401).end());
  await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as { port: number }).port}/v2/`;
  const closedPort = await new Promise<number>((resolve) => {
    const server = createTcpServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  closedUrl = `http://127.0.0.1:${closedPort}/v2/`;
});
afterAll(() => {
  registry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("where the providers and images come from", () => {
  it("counts any HTTP answer, a 401 included, as a registry that answers, and a refused port as none", async () => {
    expect(await answers(registryUrl)).toBe(true);
    expect(await answers(closedUrl)).toBe(false);
  });

  it("names the fix when neither a mirror nor installed providers nor the registry are there", async () => {
    const result = await checkProviderSource({}, join(dir, "no-cdktf.out"), closedUrl);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/does not answer and no provider mirror is set up: run npm run offline:toolchain/);
    // A TF_CLI_CONFIG_FILE of the user's own, which wins over .offline/env's, is named, with the fix.
    const theirs = await checkProviderSource(
      { TF_CLI_CONFIG_FILE: join(dir, "absent.terraformrc") },
      join(dir, "no-cdktf.out"),
      closedUrl,
    );
    expect(theirs.detail).toContain(
      `no provider mirror is set up: TF_CLI_CONFIG_FILE=${join(dir, "absent.terraformrc")} names no file, and a variable set in your environment wins over .offline/env: unset it, or run npm run offline:toolchain`,
    );
  });

  it("is content with a mirror in the CLI configuration, without asking the registry", async () => {
    const config = join(dir, "terraform.rc");
    writeFileSync(config, 'provider_installation {\n  filesystem_mirror {\n    path = "/cache/mirror"\n  }\n}\n');
    expect(
      await checkProviderSource({ TF_CLI_CONFIG_FILE: config }, join(dir, "no-cdktf.out"), closedUrl),
    ).toMatchObject({ ok: true, detail: `from the mirror configured in ${config}` });
  });

  it("is content with a registry that answers", async () => {
    expect((await checkProviderSource({}, join(dir, "no-cdktf.out"), registryUrl)).ok).toBe(true);
  });

  it("reads an image's registry as Docker does", () => {
    expect(registryOf("cassandra:4.1.11")).toEqual({ host: "docker.io", url: "https://registry-1.docker.io/v2/" });
    expect(registryOf("confluentinc/cp-kafka:7.9.0")).toEqual({
      host: "docker.io",
      url: "https://registry-1.docker.io/v2/",
    });
    expect(registryOf("127.0.0.1:5000/confluentinc/cp-kafka:7.9.0")).toEqual({
      host: "127.0.0.1:5000",
      url: "http://127.0.0.1:5000/v2/",
    });
    expect(registryOf("ghcr.io/org/image:1")).toEqual({ host: "ghcr.io", url: "https://ghcr.io/v2/" });
  });
});
