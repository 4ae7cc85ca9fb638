/**
 * Pulls images through the Docker Engine API (POST /images/create), which
 * reports each layer's bytes as it goes; the docker CLI shows them only in a
 * terminal. Reaches the engine where DOCKER_HOST says (unix:// or tcp://, else
 * the default socket). Credentials come from the docker CLI's config
 * (`docker login`) when it keeps them in the file; with a credential helper,
 * the pull goes through `docker pull`, which runs the helper.
 */
import { request } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { runDockerAsync } from "./docker-cli";
import { registryOf } from "./images";
import type { PullOptions as RuntimePullOptions, PullOutcome, PullProgress } from "../../runtime/service-runtime";

type Env = Readonly<Record<string, string | undefined>>;

export type { PullOutcome, PullProgress } from "../../runtime/service-runtime";

export interface PullOptions extends RuntimePullOptions {
  /** Where DOCKER_HOST and DOCKER_CONFIG are read from. */
  readonly env?: Env;
}

/** Where the Engine API listens, as node's http needs it, or undefined when only the CLI can reach it (ssh://, contexts). */
export function engineAddress(env: Env): { socketPath: string } | { host: string; port: number } | undefined {
  if (env.DOCKER_CONTEXT) return undefined;
  const host = env.DOCKER_HOST;
  if (!host) return { socketPath: "/var/run/docker.sock" };
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  // A TLS engine (DOCKER_TLS_VERIFY) needs the CLI's certificates: leave it to the CLI.
  if (host.startsWith("tcp://") && !env.DOCKER_TLS_VERIFY) {
    const url = new URL(host.replace(/^tcp:/, "http:"));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return undefined;
}

/** The key of a registry in the docker CLI's config: Docker Hub's is its old index URL. */
function configKeyOf(registryHost: string): string {
  return registryHost === "docker.io" ? "https://index.docker.io/v1/" : registryHost;
}

interface DockerConfig {
  readonly auths?: Record<string, { readonly auth?: string }>;
  readonly credsStore?: string;
  readonly credHelpers?: Record<string, string>;
}

function dockerConfig(env: Env): DockerConfig {
  const file = join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as DockerConfig;
  } catch {
    return {};
  }
}

/**
 * The X-Registry-Auth header for a registry from the CLI's config file, "helper"
 * when a credential helper holds it (only the CLI can ask it), or undefined.
 */
export function registryAuth(registryHost: string, config: DockerConfig): string | "helper" | undefined {
  const key = configKeyOf(registryHost);
  const stored = config.auths?.[key]?.auth;
  if (stored) {
    const text = Buffer.from(stored, "base64").toString("utf8");
    const colon = text.indexOf(":");
    const auth = { username: text.slice(0, colon), password: text.slice(colon + 1), serveraddress: key };
    return Buffer.from(JSON.stringify(auth)).toString("base64url");
  }
  if (config.credHelpers?.[key] || (config.credsStore && config.auths?.[key] !== undefined)) return "helper";
  return undefined;
}

/** Folds one message of the engine's pull stream into the image's layer table. */
export function foldPullMessage(
  layers: Map<string, { done: number; total: number; complete: boolean }>,
  message: { id?: string; status?: string; progressDetail?: { current?: number; total?: number } },
): void {
  const { id, status } = message;
  // Messages without a layer id are about the image ("Pulling from …", "Digest: …", "Status: …").
  if (!id || !status || /^(Pulling from|Digest|Status)/.test(status)) return;
  const layer = layers.get(id) ?? { done: 0, total: 0, complete: false };
  layers.set(id, layer);
  const detail = message.progressDetail ?? {};
  if (status === "Downloading" && detail.total) {
    layer.total = detail.total;
    layer.done = detail.current ?? layer.done;
  } else if (status === "Download complete" || status === "Verifying Checksum") {
    layer.done = layer.total;
  } else if (status === "Pull complete" || status === "Already exists") {
    layer.done = layer.total;
    layer.complete = true;
  }
}

function progressOf(
  image: string,
  layers: Map<string, { done: number; total: number; complete: boolean }>,
): PullProgress {
  let doneBytes = 0;
  let totalBytes = 0;
  let layersDone = 0;
  for (const layer of layers.values()) {
    doneBytes += layer.done;
    totalBytes += layer.total;
    if (layer.complete) layersDone += 1;
  }
  return { image, doneBytes, totalBytes, layers: layers.size, layersDone };
}

/** Pulls one image through the Engine API. */
function pullThroughApi(
  image: string,
  address: { socketPath: string } | { host: string; port: number },
  auth: string | undefined,
  options: PullOptions,
): Promise<PullOutcome> {
  return new Promise((resolve) => {
    const layers = new Map<string, { done: number; total: number; complete: boolean }>();
    let settled = false;
    let stallTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: PullOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(stallTimer);
      options.signal?.removeEventListener("abort", onAbort);
      req.destroy();
      resolve(outcome);
    };
    const onAbort = () => finish({ image, ok: false, answer: "interrupted" });
    const armStall = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(
        () =>
          finish({
            image,
            ok: false,
            answer: `no word from the Docker engine for ${options.stallSeconds} s; the registry or the engine is hung`,
          }),
        options.stallSeconds * 1000,
      );
    };
    const req = request(
      {
        ...address,
        method: "POST",
        path: `/images/create?fromImage=${encodeURIComponent(image)}`,
        headers: auth ? { "X-Registry-Auth": auth } : {},
      },
      (res) => {
        let buffered = "";
        let errorAnswer: string | undefined;
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          armStall();
          buffered += chunk;
          if (res.statusCode !== 200) return;
          let newline: number;
          while ((newline = buffered.indexOf("\n")) >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (!line) continue;
            let message: {
              error?: string;
              errorDetail?: { message?: string };
              id?: string;
              status?: string;
              progressDetail?: { current?: number; total?: number };
            };
            try {
              message = JSON.parse(line);
            } catch {
              continue;
            }
            if (message.error || message.errorDetail) {
              errorAnswer = message.errorDetail?.message ?? message.error;
              continue;
            }
            foldPullMessage(layers, message);
            options.onProgress?.(progressOf(image, layers));
          }
        });
        res.on("end", () => {
          if (res.statusCode !== 200) {
            let answer = buffered.trim();
            try {
              answer = (JSON.parse(answer) as { message?: string }).message ?? answer;
            } catch {
              // Not JSON: keep the text.
            }
            finish({ image, ok: false, answer: answer || `HTTP ${res.statusCode}` });
          } else {
            const layerBytes = new Map([...layers].map(([id, layer]) => [id, layer.total]));
            finish(errorAnswer ? { image, ok: false, answer: errorAnswer } : { image, ok: true, layerBytes });
          }
        });
        res.on("error", (error) => finish({ image, ok: false, answer: error.message }));
      },
    );
    req.on("error", (error) => finish({ image, ok: false, answer: `the Docker engine: ${error.message}` }));
    options.signal?.addEventListener("abort", onAbort);
    if (options.signal?.aborted) return onAbort();
    armStall();
    req.end();
  });
}

/** Pulls one image with `docker pull` (credential helpers, ssh:// engines): progress only as layers. */
async function pullThroughCli(image: string, options: PullOptions): Promise<PullOutcome> {
  const result = await runDockerAsync(["pull", "--quiet", image], {
    deadlineSeconds: options.stallSeconds * 10,
    signal: options.signal,
  });
  if (result.status === 0) return { image, ok: true, layerBytes: new Map() };
  return {
    image,
    ok: false,
    answer:
      (result.stderr || result.stdout).replace(/^Error response from daemon: /, "").trim() ||
      `docker pull exited ${result.status}`,
  };
}

/** Pulls every image at once; each outcome says how its pull ended. */
export async function pullImages(images: readonly string[], options: PullOptions): Promise<PullOutcome[]> {
  const env = options.env ?? process.env;
  const address = engineAddress(env);
  const config = dockerConfig(env);
  return Promise.all(
    images.map((image) => {
      const auth = registryAuth(registryOf(image).host, config);
      return address === undefined || auth === "helper"
        ? pullThroughCli(image, options)
        : pullThroughApi(image, address, auth, options);
    }),
  );
}
