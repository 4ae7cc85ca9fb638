import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS, type SettingSpec } from "../lib/config/settings";
import { SCHEMA_SETTINGS } from "../lib/schema/schema-settings";
import { TARGET_SETTINGS } from "../lib/config/target";
import { PROJECT_ROOT } from "./helpers/synth";

const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), "utf8");

describe("documentation matches the settings", () => {
  const envExample = read(".env.example");
  const readme = read("README.md");
  const packageJson = JSON.parse(read("package.json"));

  const commentedOut = (s: SettingSpec) => s.commentedOut === true;

  it.each(SETTINGS.map((s) => [s.name, s]))(".env.example documents %s with its default", (_, setting: SettingSpec) => {
    expect(envExample).toContain(`# ${setting.description}\n${commentedOut(setting) ? "# " : ""}${setting.name}=${setting.defaultValue}\n`);
  });

  it(".env.example sets no setting the app does not read, and none whose default depends on another", () => {
    const names = [...envExample.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(names).toEqual(SETTINGS.filter((s: SettingSpec) => !commentedOut(s)).map((s) => s.name));
  });

  it.each(SETTINGS.map((s) => [s.name, s]))("the README's configuration table documents %s", (_, setting) => {
    expect(readme).toContain(`| \`${setting.name}\` | \`${setting.defaultValue}\` | ${setting.description} |`);
  });

  it.each(SCHEMA_SETTINGS.map((s) => [s.name, s]))("the README and .env.example document the applier setting %s", (_, setting) => {
    expect(readme).toContain(`| \`${setting.name}\` | ${setting.defaultValue} | ${setting.description} |`);
    expect(envExample).toContain(`# ${setting.description} Default: ${setting.defaultValue}.\n# ${setting.name}=\n`);
  });

  it.each(TARGET_SETTINGS.map((s) => [s.name, s]))("the README and .env.example document the target setting %s", (_, setting) => {
    expect(readme).toContain(`| \`${setting.name}\` | ${setting.defaultValue} | ${setting.description} |`);
    expect(envExample).toContain(`# ${setting.description} Default: ${setting.defaultValue}.\n# ${setting.name}=\n`);
  });

  it("the README documents every npm script", () => {
    for (const script of Object.keys(packageJson.scripts)) {
      expect(readme).toContain(script === "test" ? "npm test" : `npm run ${script}`);
    }
  });
});
