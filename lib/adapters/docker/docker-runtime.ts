/**
 * The local stack's runtime: Docker, through its CLI (and its Engine API for
 * pulls). The one module that implements the runtime port; the rest of the
 * app asks it, never Docker.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { PROJECT_LABEL } from "../../names";
import {
  MISSING,
  type ContainerStatus,
  type EngineStatus,
  type ExecResult,
  type LogOptions,
  type RuntimeObject,
  type ServiceRuntime,
} from "../../runtime/service-runtime";
import { DockerUnavailableError, dockerAsync, runDockerAsync } from "./docker-cli";
import { stopGracefully } from "./graceful-stop";
import { pullImages } from "./image-pull";
import { absentImages, configuredEnvironment, registryOf, volumeCreatedAt } from "./images";
import { findProjectObjects, projectPorts } from "./project-objects";
import { volumeSizes } from "./volume-sizes";

/** `docker rm --force` kills at once; it still may wait on a busy engine. */
const REMOVE_DEADLINE_SECONDS = 120;

/** What `docker inspect` says of an object, as far as the app reads it. */
interface Inspected {
  readonly Id?: string;
  readonly Name?: string;
  readonly RepoTags?: readonly string[];
  readonly Image?: string;
  readonly RestartCount?: number;
  readonly Config?: { readonly Labels?: Readonly<Record<string, string>> | null };
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly State?: {
    readonly Status?: string;
    readonly Running?: boolean;
    readonly Health?: { readonly Status?: string };
  };
  readonly HostConfig?: { readonly Memory?: number; readonly RestartPolicy?: { readonly Name?: string } };
  readonly NetworkSettings?: { readonly Networks?: Readonly<Record<string, unknown>> };
}

/** `docker <kind> inspect` of several objects at once; a missing one is simply absent from the list. */
async function inspectAll(kind: "container" | "network" | "volume" | "image", ids: readonly string[]) {
  if (ids.length === 0) return [];
  const result = await runDockerAsync([kind, "inspect", ...ids], { deadlineSeconds: 20 });
  return JSON.parse(result.stdout || "[]") as Inspected[];
}

const nameOf = (object: Inspected) => String(object.Name ?? "").replace(/^\//, "");

export class DockerRuntime implements ServiceRuntime {
  readonly name = "Docker";

  async engine(): Promise<EngineStatus> {
    try {
      const [version, memory] = (await dockerAsync(["info", "--format", "{{.ServerVersion}} {{.MemTotal}}"])).split(
        " ",
      );
      return { ok: true, version, memoryBytes: Number(memory) };
    } catch (error) {
      if (error instanceof DockerUnavailableError) return { ok: false, detail: error.message };
      throw error;
    }
  }

  projectObjects = findProjectObjects;
  heldPorts = projectPorts;
  volumeSizes = volumeSizes;
  volumeCreatedAt = volumeCreatedAt;
  configuredEnvironment = configuredEnvironment;
  absentImages = absentImages;
  registryOf = registryOf;
  stop = stopGracefully;

  async containerStatus(names: readonly string[]): Promise<Map<string, ContainerStatus>> {
    const found = new Map(
      (await inspectAll("container", names)).map((c) => [
        nameOf(c),
        {
          state: c.State?.Status ?? "missing",
          health: c.State?.Health?.Status ?? "none",
          restarts: c.RestartCount ?? 0,
        },
      ]),
    );
    return new Map(names.map((name) => [name, found.get(name) ?? MISSING]));
  }

  async inspect(
    kind: "container" | "network" | "volume" | "image",
    ids: readonly string[],
  ): Promise<Map<string, RuntimeObject>> {
    const byKey = new Map<string, RuntimeObject>();
    for (const object of await inspectAll(kind, ids)) {
      const found: RuntimeObject = {
        id: object.Id ?? nameOf(object),
        name: nameOf(object),
        running: object.State?.Running,
        health: object.State ? (object.State.Health?.Status ?? "none") : undefined,
        image: object.Image,
        memoryBytes: object.HostConfig?.Memory,
        restartPolicy: object.HostConfig?.RestartPolicy?.Name,
        networks: object.NetworkSettings ? Object.keys(object.NetworkSettings.Networks ?? {}) : undefined,
      };
      // Asked by id, by name or by tag: found under each.
      for (const key of [object.Id, nameOf(object), ...(object.RepoTags ?? [])]) if (key) byKey.set(key, found);
    }
    return byKey;
  }

  async ownObject(kind: "network" | "container", name: string): Promise<string | undefined> {
    const [object] = await inspectAll(kind, [name]);
    const labels = (kind === "container" ? object?.Config?.Labels : object?.Labels) ?? {};
    return object && labels[PROJECT_LABEL.label] === PROJECT_LABEL.value ? object.Id : undefined;
  }

  async hasVolume(name: string): Promise<boolean> {
    return (await inspectAll("volume", [name])).length > 0;
  }

  async runningImage(container: string): Promise<{ running: boolean; imageId: string } | undefined> {
    const [object] = await inspectAll("container", [container]);
    // The container records its image by id (the Docker provider creates it from the image's id).
    return object && { running: object.State?.Running === true, imageId: object.Image ?? "" };
  }

  async imageId(image: string): Promise<string | undefined> {
    return (await dockerAsync(["image", "inspect", "--format", "{{.Id}}", image], { allowFailure: true })) || undefined;
  }

  async exec(
    container: string,
    command: readonly string[],
    options: { readonly deadlineSeconds: number; readonly env?: Readonly<Record<string, string>> },
  ): Promise<ExecResult> {
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    try {
      const result = await runDockerAsync(["exec", ...env, container, ...command], {
        deadlineSeconds: options.deadlineSeconds,
      });
      return { status: result.status ?? undefined, stdout: result.stdout, stderr: result.stderr };
    } catch (error) {
      // Past its deadline: stopped, and said so by the missing status.
      if (error instanceof DockerUnavailableError && /did not answer within/.test(error.message))
        return { stdout: "", stderr: error.message };
      throw error;
    }
  }

  streamLogs(
    container: string,
    options: LogOptions,
    onLine: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const args = ["logs", "--timestamps", "--tail", options.tail, ...(options.follow ? ["--follow"] : []), container];
      const child = spawn("docker", args, { stdio: ["ignore", "pipe", "pipe"], signal });
      for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", onLine);
      child.once("error", (error: NodeJS.ErrnoException) =>
        error.code === "ABORT_ERR"
          ? resolve()
          : reject(
              error.code === "ENOENT"
                ? new DockerUnavailableError(
                    "The docker command was not found. Install Docker and make sure `docker` is on PATH.",
                  )
                : error,
            ),
      );
      child.once("close", () => resolve());
    });
  }

  async remove(kind: "container" | "network" | "volume", names: readonly string[]): Promise<string | undefined> {
    if (names.length === 0) return undefined;
    const args = kind === "container" ? ["rm", "--force", "--volumes", ...names] : [kind, "rm", ...names];
    const result = await runDockerAsync(args, { deadlineSeconds: REMOVE_DEADLINE_SECONDS });
    return result.status === 0 ? undefined : result.stderr.split("\n").filter(Boolean).join("; ");
  }

  pull(images: readonly string[], options: Parameters<ServiceRuntime["pull"]>[1]) {
    return pullImages(images, options);
  }
}
