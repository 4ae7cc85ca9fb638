import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { PROJECT_ROOT } from "./helpers/synth";

const LIB = join(PROJECT_ROOT, "lib");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The project modules a file imports, relative to lib/ (e.g. "stacks/names"). */
function projectImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)].map((m) =>
    relative(LIB, resolve(dirname(file), m[1])).replace(/\.(js|ts)$/, ""),
  );
}

const importsOf = (folder: string) =>
  sourceFiles(join(LIB, folder)).flatMap((file) => projectImports(file).map((target) => `${relative(LIB, file)} -> ${target}`));

// Dependencies point one way: config ← constructs ← stacks ← app / ops.
describe("dependencies point one way", () => {
  it("no construct imports a stack, a command, the app or the schema applier", () => {
    expect(importsOf("constructs").filter((i) => /-> (stacks|ops|app|schema)\b/.test(i))).toEqual([]);
  });

  it("configuration imports only configuration and the neutral modules", () => {
    expect(importsOf("config").filter((i) => !/-> (config\/|names$|endpoint$|errors$)/.test(i))).toEqual([]);
  });

  it("no stack imports a command or the app", () => {
    expect(importsOf("stacks").filter((i) => /-> (ops|app)\b/.test(i))).toEqual([]);
  });

  it("reads the imports it checks (a check that finds nothing to check proves nothing)", () => {
    expect(importsOf("constructs")).toContain("constructs/kafka-broker.ts -> constructs/service-container");
    expect(importsOf("stacks")).toContain("stacks/kafka-stack.ts -> names");
  });
});
