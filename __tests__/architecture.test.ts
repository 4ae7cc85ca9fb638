/**
 * The layers of lib/ (see lib/README.md), read from the imports themselves:
 * each layer imports only the layers below it, adapters do not import each
 * other, and no module of lib/ imports itself back through others (a cycle).
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { PROJECT_ROOT } from "../test-support/synth";

const LIB = join(PROJECT_ROOT, "lib");

/** Modules that import no layer: shared names, errors and paths. */
const NEUTRAL = ["errors", "names", "endpoint", "project-root", "load-env"];

/** What each layer may import besides itself, lowest first. */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  neutral: [],
  gate: ["neutral"],
  config: ["neutral"],
  topology: ["config", "neutral"],
  runtime: ["topology", "config", "neutral"],
  topics: ["config", "neutral"],
  constructs: ["config", "neutral"],
  schema: ["adapters", "gate", "topology", "config", "neutral"],
  stacks: ["constructs", "schema", "topics", "topology", "config", "neutral"],
  app: ["stacks", "constructs", "schema", "topics", "topology", "config", "neutral"],
  process: ["neutral"],
  adapters: ["gate", "process", "runtime", "topology", "config", "neutral"],
  checks: [
    "adapters",
    "process",
    "app",
    "constructs",
    "schema",
    "topics",
    "gate",
    "runtime",
    "topology",
    "config",
    "neutral",
  ],
  snapshots: ["adapters", "schema", "gate", "neutral"],
  "commands/support": [
    "snapshots",
    "checks",
    "adapters",
    "process",
    "app",
    "schema",
    "topics",
    "gate",
    "runtime",
    "topology",
    "config",
    "neutral",
  ],
  commands: [
    "commands/support",
    "snapshots",
    "checks",
    "adapters",
    "process",
    "app",
    "stacks",
    "constructs",
    "schema",
    "topics",
    "gate",
    "runtime",
    "topology",
    "config",
    "neutral",
  ],
};

/** The layer of a module given relative to lib/ without extension, e.g. "adapters/docker/docker-cli". */
export function layerOf(module: string): string {
  if (NEUTRAL.includes(module)) return "neutral";
  if (module.startsWith("commands/support/")) return "commands/support";
  return module.split("/")[0];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every import of lib/ that stays in lib/, as [from, to], both relative to lib/ without extension. */
function libImports(): [string, string][] {
  return sourceFiles(LIB).flatMap((file) => {
    const from = relative(LIB, file).replace(/\.ts$/, "");
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)]
      .map((m) => relative(LIB, resolve(dirname(file), m[1])).replace(/\.(js|ts)$/, ""))
      .filter((to) => !to.startsWith(".."))
      .map((to) => [from, to] as [string, string]);
  });
}

/** The imports that break the layering: a layer importing one it may not. */
export function layerViolations(imports: readonly [string, string][]): string[] {
  return imports.flatMap(([from, to]) => {
    const [a, b] = [layerOf(from), layerOf(to)];
    if (a === b) {
      // Within the adapters, each folder stands alone: Docker, Terraform and Kafka do not know each other.
      const folder = (m: string) => m.split("/").slice(0, 2).join("/");
      return a === "adapters" && folder(from) !== folder(to)
        ? [`${from} -> ${to} (adapters import no other adapter)`]
        : [];
    }
    if (!(a in LAYERS)) return [`${from} is in no layer; add its folder to LAYERS`];
    return LAYERS[a].includes(b) ? [] : [`${from} -> ${to} (${a} may import ${LAYERS[a].join(", ") || "nothing"})`];
  });
}

/** Every cycle among the modules, each as "a -> b -> … -> a". */
export function importCycles(imports: readonly [string, string][]): string[] {
  const edges = new Map<string, string[]>();
  for (const [from, to] of imports) edges.set(from, [...(edges.get(from) ?? []), to]);
  const cycles = new Set<string>();
  const visit = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = path.slice(at);
      // Name each cycle once, from its smallest module.
      const start = cycle.indexOf([...cycle].sort()[0]);
      const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
      cycles.add([...rotated, rotated[0]].join(" -> "));
      return;
    }
    if (done.has(node)) return;
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    if (path.length === 0 || !path.includes(node)) done.add(node);
  };
  const done = new Set<string>();
  for (const node of edges.keys()) visit(node, []);
  return [...cycles];
}

/** The one module outside adapters/docker/ that may name it: where the runtime is chosen for the target. */
const RUNTIME_CHOOSER = "commands/support/runtime-for";

/**
 * Where Docker is known outside its adapter: an import of adapters/docker/
 * (but the runtime chooser's of the runtime itself), or the docker CLI
 * started by hand. Everything else asks the runtime port.
 */
export function dockerLeaks(files: readonly { readonly module: string; readonly text: string }[]): string[] {
  return files.flatMap(({ module, text }) => {
    if (module.startsWith("adapters/docker/")) return [];
    const imports = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']*adapters\/docker\/[^"']+)["']/g)]
      .map((m) => m[1])
      .filter((target) => !(module === RUNTIME_CHOOSER && target.endsWith("/docker-runtime")))
      .map((target) => `${module} imports ${target}`);
    const spawned = [
      ...text.matchAll(/\b(?:spawn|spawnSync|execFile|execFileSync|execSync|exec)\(\s*["'`]docker\b/g),
    ].map(() => `${module} starts the docker CLI itself`);
    return [...imports, ...spawned];
  });
}

/** Each service's client library, and the one adapter that may import it. */
export const CLIENT_LIBRARIES: Readonly<Record<string, string>> = {
  "cassandra-driver": "adapters/cassandra/",
  "@platformatic/kafka": "adapters/kafka/",
};

/** Every import of a service's client library outside its adapter, as "module imports library". */
export function clientLibraryLeaks(files: readonly { readonly module: string; readonly text: string }[]): string[] {
  return files.flatMap(({ module, text }) =>
    [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"'./][^"']*)["']/g)]
      .map((m) => m[1])
      .filter((library) => library in CLIENT_LIBRARIES && !module.startsWith(CLIENT_LIBRARIES[library]))
      .map((library) => `${module} imports ${library}`),
  );
}

describe("the layers of lib/", () => {
  const imports = libImports();
  const files = sourceFiles(LIB).map((file) => ({
    module: relative(LIB, file).replace(/\.ts$/, ""),
    text: readFileSync(file, "utf8"),
  }));

  it("reads the imports it checks (a check that finds nothing to check proves nothing)", () => {
    expect(imports.length).toBeGreaterThan(150);
    const has = (from: string, to: string) => imports.some(([a, b]) => a === from && b === to);
    expect(has("constructs/kafka-broker", "constructs/service-container")).toBe(true);
    expect(has("stacks/kafka-stack", "names")).toBe(true);
    expect(has("commands/support/deploy-stack", "adapters/terraform/stack-runner")).toBe(true);
    expect(has("adapters/terraform/terraform", "process/interrupts")).toBe(true);
  });

  it("puts every module of lib/ in a layer", () => {
    const modules = [...new Set(imports.flat())];
    expect(modules.filter((m) => !(layerOf(m) in LAYERS))).toEqual([]);
  });

  it("has each layer import only the layers below it", () => {
    expect(layerViolations(imports)).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(importCycles(imports)).toEqual([]);
  });

  it("has only adapters/docker/ know Docker: everything else asks the runtime port", () => {
    expect(files.some((f) => f.module === RUNTIME_CHOOSER)).toBe(true);
    expect(dockerLeaks(files)).toEqual([]);
  });

  it("finds Docker known outside its adapter when it is", () => {
    expect(
      dockerLeaks([
        { module: "checks/health", text: 'import { docker } from "../adapters/docker/docker-cli";' },
        { module: "commands/logs", text: 'const child = spawn("docker", ["logs", name]);' },
        { module: RUNTIME_CHOOSER, text: 'import { DockerRuntime } from "../../adapters/docker/docker-runtime";' },
        { module: "adapters/docker/docker-runtime", text: 'spawn("docker", args);' },
      ]),
    ).toEqual(["checks/health imports ../adapters/docker/docker-cli", "commands/logs starts the docker CLI itself"]);
  });

  it("builds no cdktf app for snapshot, health, topics or logs: none of them reaches lib/app", () => {
    const reached = (start: string) => {
      const seen = new Set<string>([start]);
      for (const module of seen) for (const [from, to] of imports) if (from === module) seen.add(to);
      return seen;
    };
    expect(reached("commands/deploy").has("app")).toBe(true);
    for (const command of ["commands/snapshot", "commands/health", "commands/topics", "commands/logs"])
      expect([command, reached(command).has("app")]).toEqual([command, false]);
  });

  it("has only adapters/cassandra/ and adapters/kafka/ import their client libraries", () => {
    expect(files.filter(({ text }) => /from "cassandra-driver"/.test(text)).length).toBeGreaterThan(0);
    expect(clientLibraryLeaks(files)).toEqual([]);
  });

  it("finds a client library imported outside its adapter when it is", () => {
    expect(
      clientLibraryLeaks([
        { module: "snapshots/cassandra-tables", text: 'import cassandra from "cassandra-driver";' },
        { module: "adapters/cassandra/connect", text: 'import cassandra from "cassandra-driver";' },
        { module: "checks/health", text: 'import { Admin } from "@platformatic/kafka";' },
      ]),
    ).toEqual(["snapshots/cassandra-tables imports cassandra-driver", "checks/health imports @platformatic/kafka"]);
  });

  it("finds an upward import and a cycle when there is one", () => {
    expect(layerViolations([["schema/applier", "commands/support/deploy-hooks"]])).toEqual([
      "schema/applier -> commands/support/deploy-hooks (schema may import adapters, gate, topology, config, neutral)",
    ]);
    expect(layerViolations([["adapters/docker/docker-cli", "adapters/kafka/kafka-admin"]])).toHaveLength(1);
    expect(
      importCycles([
        ["checks/a", "checks/b"],
        ["checks/b", "checks/c"],
        ["checks/c", "checks/a"],
        ["checks/c", "config/x"],
      ]),
    ).toEqual(["checks/a -> checks/b -> checks/c -> checks/a"]);
  });
});
