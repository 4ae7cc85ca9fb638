/**
 * Where the services run, as the app sees it: one port that every check and
 * command goes through for what Terraform does not do itself: the state and
 * health of each container, commands run inside one, its logs, stopping and
 * removing the project's objects, their sizes and identities, and the
 * images. Docker implements it (lib/adapters/docker/docker-runtime.ts); the
 * cluster target has its own (cluster-runtime.ts), where most of it has no
 * meaning and says so. Nothing outside lib/adapters/docker/ names the Docker
 * CLI; a test holds that.
 *
 * Every call has a deadline; an engine that does not answer is a
 * CommandError naming the fix.
 */

/** The project's objects that exist now, by kind, each sorted by name. */
export interface ProjectObjects {
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
}

/** What the engine says of a container. */
export interface ContainerStatus {
  /** running, restarting, created, exited, paused, dead, or missing (no such container). */
  readonly state: string;
  /** The engine's health check: healthy, unhealthy, starting, or none (no check, or no container). */
  readonly health: string;
  /** How often the engine restarted it since it was created. */
  readonly restarts: number;
}

/** A container the engine does not have. */
export const MISSING: ContainerStatus = { state: "missing", health: "none", restarts: 0 };

/** Whether the engine answers, and with what. */
export type EngineStatus =
  | { readonly ok: true; readonly version: string; readonly memoryBytes: number }
  | { readonly ok: false; readonly detail: string };

/** A host port one of the project's containers is configured to publish, with the container and its state. */
export interface HeldPort {
  readonly container: string;
  /** running, restarting, created, … (an exited or dead container holds no port). */
  readonly state: string;
}

/** How a command run inside a container ended. */
export interface ExecResult {
  /** Its exit code; undefined when it passed its deadline and was stopped. */
  readonly status?: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A container to stop, with what it needs stopped after it. */
export interface StoppableContainer {
  readonly name: string;
  /** How long it may take to shut down cleanly before it is killed. */
  readonly graceSeconds: number;
  /** Names of containers it needs while it runs: they are stopped only once it has stopped. */
  readonly needs: readonly string[];
}

/** What a graceful stop did, per container. */
export interface StopOutcome {
  readonly name: string;
  /** Seconds its stop took; undefined when it was not running. */
  readonly seconds?: number;
  /** Why the stop failed, when it did. */
  readonly error?: string;
}

/** An object of the engine as the no-op check compares it with what Terraform recorded. */
export interface RuntimeObject {
  readonly id: string;
  readonly name: string;
  /** Containers: whether it runs, its health (none without a check), image id, memory limit, restart policy, networks. */
  readonly running?: boolean;
  readonly health?: string;
  readonly image?: string;
  readonly memoryBytes?: number;
  readonly restartPolicy?: string;
  readonly networks?: readonly string[];
}

/** Where an image would be pulled from, as the engine reads its reference. */
export interface ImageRegistry {
  /** The registry's host as users write it: docker.io, ghcr.io, 127.0.0.1:5000. */
  readonly host: string;
  /** Its API's base URL, to ask whether it answers. */
  readonly url: string;
}

/** Bytes of one image's layers, as the engine reports them while pulling. */
export interface PullProgress {
  readonly image: string;
  /** Bytes downloaded so far, over every layer whose size is known. */
  readonly doneBytes: number;
  /** Bytes to download, over every layer whose size is known so far. */
  readonly totalBytes: number;
  readonly layers: number;
  /** Layers downloaded and unpacked, or already here. */
  readonly layersDone: number;
}

/** How one pull ended: done, or the registry's (or engine's) answer. */
export type PullOutcome =
  | {
      readonly image: string;
      readonly ok: true;
      /** Bytes downloaded per layer id (0: it was here already); images that share a layer name it alike. */
      readonly layerBytes: ReadonlyMap<string, number>;
    }
  | { readonly image: string; readonly ok: false; readonly answer: string };

export interface PullOptions {
  /** Called on every change of an image's progress. */
  readonly onProgress?: (progress: PullProgress) => void;
  /** Seconds without any word from the engine before the pull counts as hung. */
  readonly stallSeconds: number;
  /** Ends the pull at once (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** What a log stream asks for. */
export interface LogOptions {
  /** Lines from the end to start with: a number, or "all". */
  readonly tail: string;
  /** Keep reading new lines until `signal` aborts or the container's log ends. */
  readonly follow: boolean;
}

export interface ServiceRuntime {
  /** What messages call it: "Docker", "the cluster". */
  readonly name: string;

  /** Whether the engine answers, its version and memory; never throws for an engine that does not answer. */
  engine(): Promise<EngineStatus>;

  /** The project's containers, networks and volumes that exist (by its label, and by name for any made without it). */
  projectObjects(): Promise<ProjectObjects>;
  /** The host ports the project's containers hold, from their configured bindings (a restarting one's too). */
  heldPorts(): Promise<Map<number, HeldPort>>;
  /** The state, health and restarts of each named container, in one look. */
  containerStatus(names: readonly string[]): Promise<Map<string, ContainerStatus>>;
  /** Containers, networks, volumes or images by id or name; an absent one is simply not in the map. */
  inspect(
    kind: "container" | "network" | "volume" | "image",
    ids: readonly string[],
  ): Promise<Map<string, RuntimeObject>>;
  /** The id of the project's own object of that kind and name; undefined when there is none or it is someone else's. */
  ownObject(kind: "network" | "container", name: string): Promise<string | undefined>;
  /** Whether a volume of that name exists (the project's or not: a volume restored by hand carries no label). */
  hasVolume(name: string): Promise<boolean>;
  /** When a volume was created: its identity (one removed and made again has another); undefined when absent. */
  volumeCreatedAt(name: string): Promise<string | undefined>;
  /** Sizes of the volumes, by name, in bytes. */
  volumeSizes(): Promise<Map<string, number>>;
  /** The environment an image or container was built or started with; undefined when it is not there. */
  configuredEnvironment(kind: "image" | "container", name: string): Promise<Record<string, string> | undefined>;
  /** The image id a container runs, and whether it runs; undefined when there is no such container. */
  runningImage(container: string): Promise<{ readonly running: boolean; readonly imageId: string } | undefined>;

  /** Runs a command inside a running container, with a deadline and optional extra environment. */
  exec(
    container: string,
    command: readonly string[],
    options: { readonly deadlineSeconds: number; readonly env?: Readonly<Record<string, string>> },
  ): Promise<ExecResult>;
  /** A container's log lines, stdout and stderr, each starting with its RFC 3339 time; resolves when the stream ends. */
  streamLogs(
    container: string,
    options: LogOptions,
    onLine: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<void>;

  /** Stops the running ones of `containers`, each with its grace period, those that nothing needs first. */
  stop(containers: readonly StoppableContainer[]): Promise<StopOutcome[]>;
  /** Removes objects of one kind (containers by force, with their anonymous volumes); the engine's complaint when it could not. */
  remove(kind: "container" | "network" | "volume", names: readonly string[]): Promise<string | undefined>;

  /** The id of an image the engine has; undefined when it lacks it. */
  imageId(image: string): Promise<string | undefined>;
  /** The images of `images` the engine lacks, in their order. */
  absentImages(images: readonly string[]): Promise<string[]>;
  /** Where the engine would pull an image from. */
  registryOf(image: string): ImageRegistry;
  /** Pulls images side by side, each given up after `stallSeconds` without progress. */
  pull(images: readonly string[], options: PullOptions): Promise<PullOutcome[]>;
}
