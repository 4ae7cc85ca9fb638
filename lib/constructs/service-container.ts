import { Construct } from "constructs";
import { Container } from "@cdktf/provider-docker/lib/container/index.js";
import { Image } from "@cdktf/provider-docker/lib/image/index.js";
import { goDuration } from "./go-duration";
import { PROJECT_LABEL } from "../names";

/**
 * What every service construct is told, from the topology
 * (lib/topology/local-topology.ts): its container, image and network, its
 * memory, and where it is published on this machine. `ports` names each
 * published port by its purpose.
 */
export interface ServiceProps<PortPurpose extends string> {
  /** Docker container name, e.g. chatbattle-kafka. */
  readonly containerName: string;
  /** Image reference; used from the local image store when present. */
  readonly image: string;
  /** Docker network the container joins. */
  readonly networkName: string;
  /** Host address the published ports listen on, e.g. 127.0.0.1. */
  readonly bindAddress: string;
  /** host:port a client on this machine reaches the service at (its main published port). */
  readonly endpoint: string;
  /** Each published port by purpose: the port inside the container and on the host. */
  readonly ports: Readonly<Record<PortPurpose, { readonly container: number; readonly host: number }>>;
  /** Hard memory limit of the container. */
  readonly memoryMiB: number;
}

/** How Docker decides the service is ready. */
export interface HealthcheckProps {
  /** Cheap shell check that the service is up, such as its port accepting a connection; exit 0 means yes. */
  readonly alive: string;
  /**
   * The full shell check, a real client request, when `alive` alone does not
   * mean ready. See {@link healthcheckCommand} for how the two combine.
   * @default `alive` is the whole check
   */
  readonly ready?: string;
  /** @default 10 */
  readonly intervalSeconds?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /** Failed probes, after the start period, before the container counts as unhealthy. */
  readonly retries: number;
  /** Grace period during which failed probes do not count. */
  readonly startPeriodSeconds: number;
}

/**
 * How long Docker may take to call a container unhealthy: the start period,
 * then every retry failing at its timeout. The deploy waits exactly this
 * long, so it fails when Docker gives up, never while Docker would still
 * accept a slow start.
 */
export function healthcheckWorstCaseSeconds(health: HealthcheckProps): number {
  return health.startPeriodSeconds + health.retries * ((health.intervalSeconds ?? 10) + (health.timeoutSeconds ?? 10));
}

/**
 * The probe Docker runs. With only `alive`, that check. With `ready` too:
 * after each container start the probe waits (every 0.2 s, within its
 * timeout) until `alive` passes, then until `ready` passes, and leaves a
 * marker; from then on it runs only `alive`. So readiness is noticed within
 * a fraction of a second of it happening; `ready` must be cheap enough to
 * run every 0.2 s while a service starts.
 * The marker is named after PID 1's start time (field 22 of /proc/1/stat), so
 * a restarted container is fully checked again.
 */
export function healthcheckCommand(health: Pick<HealthcheckProps, "alive" | "ready">): string {
  if (!health.ready) return health.alive;
  return [
    `ready=/tmp/.healthy-$(cut -d' ' -f22 /proc/1/stat)`,
    `[ -f $ready ] && exec ${health.alive}`,
    `until ${health.alive} 2>/dev/null; do sleep 0.2; done`,
    `until ${health.ready} 2>/dev/null; do sleep 0.2; done`,
    `touch $ready`,
  ].join("; ");
}

/** A host port published for a container port. */
export interface PublishedPort {
  readonly containerPort: number;
  readonly hostPort: number;
}

/** A named Docker volume mounted into the container. */
export interface VolumeMount {
  readonly volumeName: string;
  readonly containerPath: string;
}

export interface ServiceContainerProps {
  /** Docker container name, e.g. chatbattle-kafka. */
  readonly containerName: string;
  /** Name other containers on the network use to reach this one, e.g. kafka. */
  readonly serviceName: string;
  /** Image reference; used from the local image store when present. */
  readonly image: string;
  /** Docker network the container joins. */
  readonly networkName: string;
  /** Host address the published ports listen on. */
  readonly bindAddress: string;
  /** Environment variables, in a stable order (the plan compares them as a list). */
  readonly environment: Readonly<Record<string, string>>;
  readonly ports: readonly PublishedPort[];
  readonly volumes: readonly VolumeMount[];
  /** Decides readiness; a deploy waits for it as long as Docker would, see {@link healthcheckWorstCaseSeconds}. */
  readonly healthcheck: HealthcheckProps;
  /** How long Docker lets the service shut down cleanly before killing it. */
  readonly stopGraceSeconds: number;
  /** Hard memory limit of the container. */
  readonly memoryMiB: number;
  /** Containers created before this one (and destroyed after it). */
  readonly dependsOn?: readonly Container[];
  /**
   * Whether creating the container waits until Docker reports it healthy.
   * False for a service another one waits for by itself: its creation then
   * returns once it runs, and what depends on it starts at once.
   * @default true
   */
  readonly awaitHealthy?: boolean;
}

/**
 * A long-running service: its image (kept locally on destroy) and a container
 * that counts as created only once Docker reports it healthy, restarts with
 * the Docker engine, stops gracefully and keeps its logs bounded.
 */
export class ServiceContainer extends Construct {
  public readonly container: Container;
  public readonly image: Image;

  constructor(scope: Construct, id: string, props: ServiceContainerProps) {
    super(scope, id);
    const health = props.healthcheck;

    this.image = new Image(this, "image", {
      name: props.image,
      // The image may have been built or pulled by hand; never delete it on destroy.
      keepLocally: true,
    });

    this.container = new Container(this, "container", {
      name: props.containerName,
      image: this.image.imageId,
      hostname: props.serviceName,
      networksAdvanced: [{ name: props.networkName, aliases: [props.serviceName] }],
      env: Object.entries(props.environment).map(([key, value]) => `${key}=${value}`),
      ports: props.ports.map((p) => ({
        internal: p.containerPort,
        external: p.hostPort,
        ip: props.bindAddress,
        protocol: "tcp",
      })),
      volumes: props.volumes.map((v) => ({ volumeName: v.volumeName, containerPath: v.containerPath })),
      healthcheck: {
        test: ["CMD-SHELL", healthcheckCommand(health)],
        interval: goDuration(health.intervalSeconds ?? 10),
        timeout: goDuration(health.timeoutSeconds ?? 10),
        retries: health.retries,
        startPeriod: goDuration(health.startPeriodSeconds),
      },
      wait: props.awaitHealthy ?? true,
      waitTimeout: healthcheckWorstCaseSeconds(health),
      destroyGraceSeconds: props.stopGraceSeconds,
      memory: props.memoryMiB,
      // Swap equal to the limit means none: a swapping JVM stalls far worse than one that
      // hits its limit. Set explicitly, or Docker picks twice the limit and plans show a diff.
      memorySwap: props.memoryMiB,
      restart: "unless-stopped",
      mustRun: true,
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "3" },
      labels: [PROJECT_LABEL],
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
  }
}
