import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS, type SettingSpec } from "../lib/config/settings";
import { PROJECT_ROOT } from "./helpers/synth";

const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), "utf8");

describe("documentation matches the settings", () => {
  const envExample = read(".env.example");
  const readme = read("README.md");
  const packageJson = JSON.parse(read("package.json"));

  const byName = (s: SettingSpec) => [s.name, s] as const;

  it.each(SETTINGS.map(byName))(".env.example documents %s with its default", (_, setting) => {
    const expected = {
      value: `# ${setting.description}\n${setting.name}=${setting.defaultValue}\n`,
      commented: `# ${setting.description}\n# ${setting.name}=${setting.defaultValue}\n`,
      described: `# ${setting.description} Default: ${setting.defaultValue}.\n# ${setting.name}=\n`,
    }[setting.documented];
    expect(envExample).toContain(expected);
  });

  it(".env.example sets no setting the app does not read, and none whose default depends on another", () => {
    const names = [...envExample.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(names).toEqual(SETTINGS.filter((s: SettingSpec) => s.documented === "value").map((s) => s.name));
  });

  it.each(SETTINGS.map(byName))("the README's configuration tables document %s", (_, setting) => {
    const shown = setting.documented === "described" ? setting.defaultValue : `\`${setting.defaultValue}\``;
    expect(readme).toContain(`| \`${setting.name}\` | ${shown} | ${setting.description} |`);
  });

  it("the README documents every npm script", () => {
    for (const script of Object.keys(packageJson.scripts)) {
      expect(readme).toContain(script === "test" ? "npm test" : `npm run ${script}`);
    }
  });
});
