/**
 * The app's containers as its stacks synthesize them: the one source for the
 * images and healthchecks the benchmark gives both sides, and for how the
 * floor runs each service on its own.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesizeApp } from "../lib/app";
import { parseConfig } from "../lib/config/config";
import { CONTAINER_NAMES } from "../lib/names";
import { PROJECT_ROOT } from "../lib/project-root";

/** The services the bench compares with the compose file: the seed's three, whatever else the stack runs. */
export type SeedService = keyof typeof CONTAINER_NAMES;

export interface SynthesizedContainer {
  readonly service: SeedService;
  readonly name: string;
  readonly image: string;
  readonly env: readonly string[];
  readonly ports: readonly { readonly internal: number; readonly external: number; readonly ip: string }[];
  readonly memoryMiB: number;
  readonly healthcheck: {
    readonly test: readonly string[];
    readonly interval: string;
    readonly timeout: string;
    readonly retries: number;
    readonly start_period: string;
  };
}

/** A stack's synthesized JSON, as far as the containers and their images go. */
interface SynthesizedStackJson {
  readonly resource: {
    readonly docker_container: Readonly<
      Record<string, Omit<SynthesizedContainer, "service" | "memoryMiB"> & { readonly memory: number }>
    >;
    readonly docker_image: Readonly<Record<string, { readonly name: string }>>;
  };
}

/** The seed's containers as the app synthesizes them with the settings in `env`, by service. */
export function synthesizedContainers(
  env: Readonly<Record<string, string | undefined>>,
): Record<SeedService, SynthesizedContainer> {
  const outdir = mkdtempSync(join(tmpdir(), "chatbattle-bench-synth-"));
  try {
    synthesizeApp(parseConfig(env), PROJECT_ROOT, outdir);
    const containers: Partial<Record<SeedService, SynthesizedContainer>> = {};
    for (const stack of ["kafka", "cassandra"]) {
      const json = JSON.parse(
        readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"),
      ) as SynthesizedStackJson;
      for (const c of Object.values(json.resource.docker_container)) {
        const service = (Object.keys(CONTAINER_NAMES) as SeedService[]).find((s) => CONTAINER_NAMES[s] === c.name);
        if (!service) continue; // not one the compose file has
        const imageId = /^\$\{docker_image\.([^.]+)\.image_id\}$/.exec(c.image)![1];
        containers[service] = {
          service,
          name: c.name,
          image: json.resource.docker_image[imageId].name,
          env: c.env,
          ports: c.ports,
          memoryMiB: c.memory,
          healthcheck: c.healthcheck,
        };
      }
    }
    return containers as Record<SeedService, SynthesizedContainer>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
