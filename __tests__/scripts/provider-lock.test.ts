import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installsProvidersFromMirror, providerLockFlags } from "../../test-support/cdktf-cli";

const dir = mkdtempSync(join(tmpdir(), "chatbattle-cli-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return { TF_CLI_CONFIG_FILE: join(dir, name), HOME: dir };
};

describe("the provider lock step", () => {
  it("is skipped when Terraform installs providers from a filesystem mirror", () => {
    const env = config("mirror.rc", 'provider_installation {\n  filesystem_mirror {\n    path = "/m"\n  }\n}\n');
    expect(installsProvidersFromMirror(env)).toBe(true);
    expect(providerLockFlags(env)).toEqual(["--skip-provider-lock"]);
  });

  it("is skipped for a network mirror too", () => {
    expect(
      providerLockFlags(config("net.rc", 'provider_installation { network_mirror { url = "https://m/" } }')),
    ).toEqual(["--skip-provider-lock"]);
  });

  it("runs as usual without a mirror: no CLI configuration, or one that only sets other things", () => {
    expect(providerLockFlags({ HOME: dir })).toEqual([]);
    expect(providerLockFlags({ TF_CLI_CONFIG_FILE: join(dir, "missing.rc"), HOME: dir })).toEqual([]);
    expect(providerLockFlags(config("plain.rc", "disable_checkpoint = true\n"))).toEqual([]);
    expect(providerLockFlags(config("commented.rc", "# provider_installation { filesystem_mirror { } }\n"))).toEqual(
      [],
    );
  });

  it("reads the user's default configuration file when TF_CLI_CONFIG_FILE is unset", () => {
    writeFileSync(join(dir, ".terraformrc"), 'provider_installation { filesystem_mirror { path = "/m" } }\n');
    expect(providerLockFlags({ HOME: dir })).toEqual(["--skip-provider-lock"]);
    rmSync(join(dir, ".terraformrc"));
  });
});
