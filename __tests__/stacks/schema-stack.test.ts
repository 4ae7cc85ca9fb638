/**
 * The schema step end to end, short of Cassandra: what the synthesized
 * terraform_data hands the applier (its local-exec environment, on top of the
 * user's environment and .env) must be settings the applier accepts. Nothing
 * listens, so the applier connects, fails to reach Cassandra within a second
 * and exits 1; a settings refusal exits 2 before it even tries.
 */
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { synthesize, type StackJson } from "../../test-support/synth";
import { copyProject, environmentWithoutSettings } from "../../test-support/project";

const project = copyProject(
  ["lib", "scripts", "cql", ".gen", "package.json", "tsconfig.json"],
  "chatbattle-schema-step-",
);
afterAll(() => project.remove());

/** A loopback port nothing listens on, so that no running stack answers. */
const freePort = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

/** Runs the schema step's command as Terraform's local-exec does, in the project folder. */
function runSchemaStep(userEnv: Record<string, string>, dotEnv = "") {
  const step = Object.values(synthesize(userEnv).stacks.schema.resource.terraform_data)[0] as StackJson;
  const exec = step.provisioner[0]["local-exec"];
  writeFileSync(join(project.dir, ".env"), dotEnv);
  try {
    const result = spawnSync("sh", ["-c", exec.command], {
      cwd: project.dir,
      encoding: "utf8",
      // What Terraform hands it, with the step's wait for the node shortened to a second.
      env: { ...environmentWithoutSettings(), ...userEnv, ...exec.environment, SCHEMA_WAIT_SECONDS: "1" },
      // A second of waiting for Cassandra, plus start-up: more than this is a hang.
      timeout: 60_000,
    });
    if (result.error)
      throw new Error(`the schema step did not finish: ${result.error.message}\n${result.stdout}${result.stderr}`);
    return result;
  } finally {
    rmSync(join(project.dir, ".env"), { force: true });
  }
}

describe("the schema step hands the applier settings it accepts", () => {
  it("with BIND_ADDRESS=:: it connects to [::1] (an IPv6 contact point in brackets)", () => {
    const result = runSchemaStep({ BIND_ADDRESS: "::", CASSANDRA_CQL_PORT: String(freePort) });
    expect(result.stderr).not.toContain("Invalid configuration");
    expect(result.stdout).toContain(`schema: connecting to [::1]:${freePort},`);
    expect(result.status).toBe(1);
  });

  it("with CASSANDRA_REPLICATION in .env it uses that replication, not a clashing factor", () => {
    const result = runSchemaStep(
      { CASSANDRA_REPLICATION: "dc1:1", CASSANDRA_CQL_PORT: String(freePort) },
      "CASSANDRA_REPLICATION=dc1:1\n",
    );
    expect(result.stderr).not.toContain("set together with CASSANDRA_REPLICATION_FACTOR");
    expect(result.stdout).toContain(`schema: connecting to 127.0.0.1:${freePort},`);
    expect(result.status).toBe(1);
  });
});
