import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadOfflineEnv } from "../lib/load-env";

const dir = mkdtempSync(join(tmpdir(), "chatbattle-offline-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "env");
writeFileSync(
  file,
  [
    "KAFKA_IMAGE=chatbattle-standin/kafka:abc",
    "TF_CLI_CONFIG_FILE=/cache/terraform.rc",
    `PATH=/cache/bin${delimiter}/usr/bin`,
  ].join("\n"),
);

describe(".offline/env, loaded by every npm command", () => {
  it("sets what is unset, keeps what the user set, puts its missing PATH folders in front, and says so once", () => {
    const env: NodeJS.ProcessEnv = { KAFKA_IMAGE: "mine:1", PATH: `/usr/bin${delimiter}/bin` };
    const said: string[] = [];
    expect(loadOfflineEnv(file, env, (line) => said.push(line))).toBe(true);
    expect(env.KAFKA_IMAGE).toBe("mine:1");
    expect(env.TF_CLI_CONFIG_FILE).toBe("/cache/terraform.rc");
    expect(env.PATH).toBe(["/cache/bin", "/usr/bin", "/bin"].join(delimiter));
    expect(said).toEqual([
      `using ${file} (the offline set-up: Terraform's provider mirror and the stand-in images); a variable you set wins: yours of KAFKA_IMAGE`,
    ]);
    // A command the first one starts (the schema step) inherits it all, and neither loads nor says it again.
    expect(loadOfflineEnv(file, env, (line) => said.push(line))).toBe(false);
    expect(said).toHaveLength(1);
  });

  it("does nothing without the file", () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadOfflineEnv(join(dir, "absent"), env, () => undefined)).toBe(false);
    expect(env).toEqual({});
  });
});
