/**
 * A real container registry for the tests: `crane registry serve` from
 * go-containerregistry v0.22.1 (built by `GOBIN=$CHATBATTLE_CACHE/bin go
 * install github.com/google/go-containerregistry/cmd/crane@v0.22.1`, which
 * .ci/run does), listening on the loopback, where Docker pulls over plain HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port";

export const CRANE_MODULE = "github.com/google/go-containerregistry/cmd/crane@v0.22.1";

export interface RunningRegistry {
  /** host:port, the prefix of every image reference in it. */
  readonly host: string;
  stop(): Promise<void>;
}

function craneBinary(): string {
  const cache = process.env.CHATBATTLE_CACHE ?? join(homedir(), ".cache", "chatbattle");
  const binary = join(cache, "bin", "crane");
  if (!existsSync(binary))
    throw new Error(`No crane at ${binary}: build it with GOBIN=${join(cache, "bin")} go install ${CRANE_MODULE}`);
  return binary;
}

/** Starts a registry keeping its blobs in a temporary folder; stop() ends it and removes them. */
export async function startRegistry(): Promise<RunningRegistry> {
  const port = await freePort();
  const disk = mkdtempSync(join(tmpdir(), "chatbattle-registry-"));
  const child: ChildProcess = spawn(
    craneBinary(),
    ["registry", "serve", "--address", `127.0.0.1:${port}`, "--disk", disk],
    { stdio: "ignore" },
  );
  const host = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    rmSync(disk, { recursive: true, force: true });
  };
  // Polled with a deadline: the registry answers /v2/ once it listens.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`crane registry serve on ${host} did not answer within 15 s (exit code ${child.exitCode})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { host, stop };
}
