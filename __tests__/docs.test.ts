import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { SETTINGS, type SettingSpec } from "../lib/config/settings";
import { PROJECT_ROOT } from "../test-support/synth";

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

/** GitHub's anchor of a heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, "")
    .replaceAll(" ", "-");

/** The anchors of a Markdown file's headings (not those inside code blocks). */
function anchorsOf(file: string): Set<string> {
  let inCode = false;
  const anchors = new Set<string>();
  for (const line of read(file).split("\n")) {
    if (line.startsWith("```")) inCode = !inCode;
    const heading = /^#+ (.*)/.exec(line);
    if (heading && !inCode) anchors.add(slug(heading[1]));
  }
  return anchors;
}

const MARKDOWN = ["README.md", "lib/README.md", ...readdirSync(join(PROJECT_ROOT, "docs")).map((f) => `docs/${f}`)];

describe("the README and docs/", () => {
  it("keep the README to a front door of about one screen per part: at most 250 lines", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(250);
  });

  it.each(MARKDOWN)("%s links only to files and headings that exist", (file) => {
    const broken = [...read(file).matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((target) => !/^[a-z]+:/.test(target))
      .filter((target) => {
        const [path, anchor] = target.split("#");
        const resolved = path ? relative(PROJECT_ROOT, join(PROJECT_ROOT, dirname(file), path)) : file;
        if (!existsSync(join(PROJECT_ROOT, resolved))) return true;
        return anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor);
      });
    expect(broken).toEqual([]);
  });

  it("links every file of docs/ from the README", () => {
    const readme = read("README.md");
    for (const file of MARKDOWN.filter((f) => f.startsWith("docs/"))) expect(readme).toContain(`](${file})`);
  });

  it("has a project layout that names every folder of the project and of lib/, and only folders that exist", () => {
    const layout = /## Project layout\n\n```\n([\s\S]*?)```/.exec(read("docs/architecture.md"))![1];
    const named = [...layout.matchAll(/^(\S+)/gm)].map((m) => m[1]);
    for (const path of named) expect(existsSync(join(PROJECT_ROOT, path)), path).toBe(true);
    const folders = (dir: string): string[] =>
      readdirSync(join(PROJECT_ROOT, dir))
        .filter((f) => statSync(join(PROJECT_ROOT, dir, f)).isDirectory())
        .map((f) => `${dir ? `${dir}/` : ""}${f}/`);
    const project = folders("").filter(
      (f) => !["node_modules/", ".git/", "cdktf.out/", "state/", ".offline/", ".cache/", "snapshots/"].includes(f),
    );
    const lib = folders("lib").filter((f) => f !== "lib/commands/");
    for (const folder of [...project, ...lib]) expect(layout, folder).toContain(folder);
  });
});

describe("docs that describe the code", () => {
  it("the snapshot row in docs/snapshots.md is one the code can write: its timed columns all hold a value", () => {
    const lines = read("docs/snapshots.md")
      .split("\n")
      .filter((line) => line.startsWith('{"values"'));
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]) as { values: Record<string, string>; cells: { columns: string[] }[] };
    const table = read("cql/002_create_raw_chat_messages.cql");
    const columns = [...table.matchAll(/^\s+(\w+) [A-Z<>]+,$/gm)].map((m) => m[1]);
    expect(Object.keys(row.values).sort()).toEqual([...columns].sort());
    for (const cell of row.cells) for (const column of cell.columns) expect(row.values).toHaveProperty(column);
  });

  it("docs/troubleshooting.md names every command that takes the project's lock", () => {
    const commands = readdirSync(join(PROJECT_ROOT, "lib/commands"))
      .filter((file) => file.endsWith(".ts"))
      .filter((file) => /takesLock: true|\block\(/.test(read(`lib/commands/${file}`)));
    const names = commands.map((file) => file.replace(/\.ts$/, "")).sort();
    expect(names).toEqual(["deploy", "migrate", "plan", "reset", "snapshot", "stop", "validate"]);
    const lockLine = read("docs/troubleshooting.md")
      .split("\n\n")
      .find((paragraph) => paragraph.includes("is already changing this stack"));
    for (const name of names) expect(lockLine).toContain(name);
  });
});
