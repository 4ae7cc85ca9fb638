/**
 * A way off the archived cdktf: a copy of the project with CDK Terrain
 * (`cdktn`) installed in cdktf's place through an npm alias, so that not a
 * line of the source changes, synthesizes every stack of both targets into
 * the same Terraform JSON as cdktf, apart from the version stamp. Needs the
 * npm registry (it installs the copy's packages).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyProject } from "../../test-support/project";
import { PROJECT_ROOT } from "../../test-support/synth";
import { clusterSettings } from "../../test-support/cluster-settings";

/** The CDK Terrain release the copy gets, under cdktf's name. */
export const CDKTN = "npm:cdktn@0.24.0";

const copy = copyProject(
  ["main.ts", "lib", "cql", ".gen", "test-support", "cdktf.json", "package.json", "package-lock.json", "tsconfig.json"],
  "chatbattle-cdktn-",
);
const outputs = mkdtempSync(join(tmpdir(), "chatbattle-cdktn-out-"));
const CA = join(outputs, "ca.pem");
writeFileSync(CA, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
afterAll(() => {
  copy.remove();
  rmSync(outputs, { recursive: true, force: true });
});

const SETTINGS: Record<string, Record<string, string>> = {
  "local, ZooKeeper": {},
  "local, KRaft with three brokers": { KAFKA_MODE: "kraft", KAFKA_BROKERS: "3" },
  "cluster, state in PostgreSQL": clusterSettings(CA),
};

function run(command: string, args: string[], cwd: string, timeoutSeconds: number): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout: timeoutSeconds * 1000,
    killSignal: "SIGKILL",
  });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} in ${cwd} failed (${result.error?.message ?? result.status}):\n${result.stdout}${result.stderr}`.slice(
        -4000,
      ),
    );
  return result.stdout;
}

/** Each stack's Terraform JSON, synthesized by the project in `dir`, with cdktf's version stamp set apart. */
function synthesized(
  dir: string,
  name: string,
  settings: Record<string, string>,
): { stacks: Record<string, unknown>; versions: string[] } {
  const outdir = join(outputs, `${name.replace(/\W+/g, "-")}-${dir === PROJECT_ROOT ? "cdktf" : "cdktn"}`);
  run(
    join(dir, "node_modules", ".bin", "tsx"),
    ["test-support/cdktn/synthesize-to.ts", outdir, JSON.stringify(settings)],
    dir,
    120,
  );
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  const stacks: Record<string, unknown> = {};
  const versions: string[] = [];
  for (const stack of Object.values(manifest.stacks) as { name: string; synthesizedStackPath: string }[]) {
    const json = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8"));
    versions.push(json["//"]?.metadata?.version);
    delete json["//"]?.metadata?.version;
    stacks[stack.name] = json;
  }
  return { stacks, versions };
}

describe("CDK Terrain in cdktf's place", () => {
  it("installs under cdktf's name with --legacy-peer-deps (cdktn 0.24 asks for constructs <10.8.0; the app pins 10.8.1)", () => {
    const pkg = JSON.parse(readFileSync(join(copy.dir, "package.json"), "utf8"));
    pkg.dependencies.cdktf = CDKTN;
    writeFileSync(join(copy.dir, "package.json"), JSON.stringify(pkg, null, 2));
    run("npm", ["install", "--legacy-peer-deps", "--ignore-scripts", "--no-audit", "--no-fund"], copy.dir, 600);
    const installed = JSON.parse(readFileSync(join(copy.dir, "node_modules", "cdktf", "package.json"), "utf8"));
    expect(`${installed.name}@${installed.version}`).toBe("cdktn@0.24.0");
  });

  it.each(Object.keys(SETTINGS))("synthesizes every stack of %s as cdktf does, the version stamp apart", (name) => {
    const cdktf = synthesized(PROJECT_ROOT, name, SETTINGS[name]);
    const cdktn = synthesized(copy.dir, name, SETTINGS[name]);
    expect(Object.keys(cdktn.stacks).sort()).toEqual(Object.keys(cdktf.stacks).sort());
    expect(cdktn.stacks).toEqual(cdktf.stacks);
    expect(new Set(cdktf.versions)).toEqual(new Set(["0.21.0"]));
    expect(new Set(cdktn.versions)).toEqual(new Set(["0.24.0"]));
  });
});
