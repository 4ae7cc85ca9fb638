/**
 * A runtime in memory, for unit tests of what asks the runtime port (the
 * deploy's readiness, adoption and drain, health, pre-flight): containers,
 * networks, volumes and images as a test sets them, every call recorded. It
 * proves the logic around the port, never that Docker does what the port
 * says: the e2e suites do that.
 */
import {
  MISSING,
  type ContainerStatus,
  type ExecResult,
  type HeldPort,
  type ProjectObjects,
  type PullOutcome,
  type RuntimeObject,
  type ServiceRuntime,
  type StoppableContainer,
  type StopOutcome,
} from "../lib/runtime/service-runtime";

export interface FakeContainer extends ContainerStatus {
  readonly id: string;
  readonly imageId: string;
  readonly own: boolean;
  readonly env?: Record<string, string>;
}

export class FakeRuntime implements ServiceRuntime {
  readonly name = "the fake engine";
  /** Containers by name; change them between calls to play a service starting, breaking or restarting. */
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, { id: string; own: boolean }>();
  readonly volumes = new Map<string, { createdAt: string; bytes: number }>();
  /** Image ids by reference. */
  readonly images = new Map<string, string>();
  /** What `exec` answers, by the command's first word; the default: exit 0, no output. */
  readonly execAnswers = new Map<string, ExecResult>();
  /** Every call, as "method arg…". */
  readonly calls: string[] = [];
  /** Called before each containerStatus answer: the place for a test to move time on. */
  onStatus?: (calls: number) => void;
  private statusCalls = 0;

  container(name: string, status: Partial<FakeContainer> = {}): this {
    this.containers.set(name, {
      id: `id-${name}`,
      imageId: "sha256:image",
      own: true,
      state: "running",
      health: "healthy",
      restarts: 0,
      ...status,
    });
    return this;
  }

  async engine() {
    return { ok: true as const, version: "fake", memoryBytes: 8 * 1024 ** 3 };
  }

  async projectObjects(): Promise<ProjectObjects> {
    return {
      containers: [...this.containers].filter(([, c]) => c.own).map(([n]) => n),
      networks: [...this.networks].filter(([, n]) => n.own).map(([n]) => n),
      volumes: [...this.volumes.keys()],
    };
  }

  async heldPorts(): Promise<Map<number, HeldPort>> {
    return new Map();
  }

  async containerStatus(names: readonly string[]): Promise<Map<string, ContainerStatus>> {
    this.onStatus?.(++this.statusCalls);
    this.calls.push(`containerStatus ${names.join(",")}`);
    return new Map(names.map((n) => [n, this.containers.get(n) ?? MISSING]));
  }

  async inspect(kind: "container" | "network" | "volume" | "image", ids: readonly string[]) {
    const found = new Map<string, RuntimeObject>();
    for (const id of ids) {
      if (kind === "network" && this.networks.has(id)) found.set(id, { id: this.networks.get(id)!.id, name: id });
      if (kind === "volume" && this.volumes.has(id)) found.set(id, { id, name: id });
      if (kind === "image" && this.images.has(id)) found.set(id, { id: this.images.get(id)!, name: id });
      const container = this.containers.get(id);
      if (kind === "container" && container)
        found.set(id, {
          id: container.id,
          name: id,
          running: container.state === "running",
          health: container.health,
          image: container.imageId,
        });
    }
    return found;
  }

  async ownObject(kind: "network" | "container", name: string): Promise<string | undefined> {
    const object = kind === "network" ? this.networks.get(name) : this.containers.get(name);
    return object?.own ? object.id : undefined;
  }

  async hasVolume(name: string): Promise<boolean> {
    return this.volumes.has(name);
  }

  async volumeCreatedAt(name: string): Promise<string | undefined> {
    return this.volumes.get(name)?.createdAt;
  }

  async volumeSizes(): Promise<Map<string, number>> {
    return new Map([...this.volumes].map(([name, v]) => [name, v.bytes]));
  }

  async configuredEnvironment(kind: "image" | "container", name: string) {
    return kind === "container" ? this.containers.get(name)?.env : undefined;
  }

  async runningImage(container: string) {
    const found = this.containers.get(container);
    return found && { running: found.state === "running", imageId: found.imageId };
  }

  async exec(container: string, command: readonly string[]): Promise<ExecResult> {
    this.calls.push(`exec ${container} ${command.join(" ")}`);
    return this.execAnswers.get(command[0]) ?? { status: 0, stdout: "", stderr: "" };
  }

  async streamLogs(container: string, _options: unknown, onLine: (line: string) => void): Promise<void> {
    this.calls.push(`logs ${container}`);
    onLine(`2026-12-02T10:00:00.000000000Z ${container} started`);
  }

  async stop(containers: readonly StoppableContainer[]): Promise<StopOutcome[]> {
    this.calls.push(`stop ${containers.map((c) => c.name).join(",")}`);
    return containers.map((c) => ({ name: c.name, seconds: 0 }));
  }

  async remove(kind: "container" | "network" | "volume", names: readonly string[]): Promise<string | undefined> {
    this.calls.push(`remove ${kind} ${names.join(",")}`);
    const from = kind === "container" ? this.containers : kind === "network" ? this.networks : this.volumes;
    for (const name of names) from.delete(name);
    return undefined;
  }

  async imageId(image: string): Promise<string | undefined> {
    return this.images.get(image);
  }

  async absentImages(images: readonly string[]): Promise<string[]> {
    return images.filter((i) => !this.images.has(i));
  }

  registryOf(image: string) {
    return { host: "registry.test", url: `http://registry.test/v2/${image}` };
  }

  async pull(images: readonly string[]): Promise<PullOutcome[]> {
    this.calls.push(`pull ${images.join(",")}`);
    for (const image of images) this.images.set(image, `sha256:${image}`);
    return images.map((image) => ({ image, ok: true, layerBytes: new Map() }));
  }
}
