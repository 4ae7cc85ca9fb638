import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APP_ENTRIES, copyProject, runNpmScript } from "../test-support/project";

// `npm run synth` (cdktf synth) in a copy of the project, as a user runs it.
describe("npm run synth", () => {
  let project: string;
  let removeProject: () => void;

  beforeAll(() => {
    ({ dir: project, remove: removeProject } = copyProject(APP_ENTRIES));
  });
  afterAll(() => removeProject());

  const synth = (env: Record<string, string> = {}) =>
    runNpmScript(project, "synth", { CHECKPOINT_DISABLE: "1", CI: "1", ...env });

  it("refuses a bad .env with every problem named, a non-zero exit and cdktf.out untouched", () => {
    mkdirSync(join(project, "cdktf.out"), { recursive: true });
    writeFileSync(join(project, "cdktf.out", "earlier-build.txt"), "an earlier synth\n");
    writeFileSync(
      join(project, ".env"),
      [
        "ZOOKEEPER_PORT=abc",
        "KAFKA_EXTERNAL_PORT=9042",
        "CASSANDRA_KEYSPACE=Bad-Name",
        "CASSANDRA_REPLICATION_FACTOR=0",
        "KAFKA_IMAGE=",
      ].join("\n"),
    );
    try {
      const result = synth();
      const output = result.stdout + result.stderr;
      expect(result.status).not.toBe(0);
      expect(output).toContain("Invalid configuration (6 problems); nothing was done:");
      expect(output).toContain('ZOOKEEPER_PORT="abc": must be a whole number from 1 to 65535');
      expect(output).toContain('KAFKA_EXTERNAL_PORT="9042": host port is also used by CASSANDRA_CQL_PORT');
      expect(output).toContain('CASSANDRA_KEYSPACE="Bad-Name": must be a CQL identifier');
      expect(output).toContain('CASSANDRA_REPLICATION_FACTOR="0": must be a whole number of at least 1');
      expect(output).toContain('KAFKA_IMAGE="": is set but empty');
      expect(readdirSync(join(project, "cdktf.out"))).toEqual(["earlier-build.txt"]);
      expect(readFileSync(join(project, "cdktf.out", "earlier-build.txt"), "utf8")).toBe("an earlier synth\n");
    } finally {
      rmSync(join(project, ".env"));
      rmSync(join(project, "cdktf.out"), { recursive: true, force: true });
    }
  });

  it("lets the environment override .env", () => {
    writeFileSync(join(project, ".env"), "ZOOKEEPER_PORT=abc\n");
    try {
      const result = synth({ ZOOKEEPER_PORT: "2182" });
      expect(result.status, result.stderr).toBe(0);
      const kafka = readFileSync(join(project, "cdktf.out", "stacks", "kafka", "cdk.tf.json"), "utf8");
      expect(kafka).toContain('"external": 2182');
    } finally {
      rmSync(join(project, ".env"));
    }
  });

  it("writes every stack with a good configuration", () => {
    const result = synth();
    expect(result.status, result.stderr).toBe(0);
    for (const stack of ["volumes", "network", "kafka", "cassandra", "topics", "schema"]) {
      expect(existsSync(join(project, "cdktf.out", "stacks", stack, "cdk.tf.json")), stack).toBe(true);
    }
  });
});
