/**
 * node scripts/command.mjs <name> [arguments]: runs lib/commands/<name>.ts
 * as one JavaScript module, compiled ahead by esbuild, in this process.
 *
 * Why not tsx, as the rest of the project runs its TypeScript: tsx starts a
 * second Node process, and its loader resolves and compiles every module of
 * the app on its own thread, one round trip each. For a command that has
 * little to do (a deploy with nothing to change, a stop) that was most of
 * its time. The compiled module is kept in .cache/commands/ and used again
 * while no file it is compiled from (lib/, .gen/, tsconfig.json, the
 * lockfile) has changed; any change compiles it again before the command
 * runs (0.2 s), so an edit of lib/topics.ts is never run stale. The packages
 * in node_modules are left out of the module and loaded by Node as usual.
 * The folder is inside the project, not node_modules/.cache, because the
 * app finds its project folder from where its module lies (lib/project-root.ts)
 * and the tests' copies of the project share one node_modules.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const SOURCES = ["lib", ".gen", "tsconfig.json", "package-lock.json", "scripts/command.mjs"];
const CACHE = join(root, ".cache", "commands");

/** A name for the sources as they are now: every file's path, size and modification time. */
function sourcesKey() {
  const hash = createHash("sha256");
  for (const source of SOURCES) {
    const path = join(root, source);
    if (!existsSync(path)) continue;
    const files = statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true }).map((f) => join(path, f))
      : [path];
    for (const file of files.sort()) {
      const stat = statSync(file);
      if (stat.isFile()) hash.update(`${relative(root, file)} ${stat.size} ${stat.mtimeMs}\n`);
    }
  }
  return hash.digest("hex").slice(0, 16);
}

/** The command's module for the sources as they are, compiled first when there is none. */
async function compiled(name) {
  const entry = join(root, "lib", "commands", `${name}.ts`);
  if (!existsSync(entry)) {
    console.error(`${name}: no such command (lib/commands/${name}.ts)`);
    process.exit(2);
  }
  const dir = join(CACHE, `${name}-${sourcesKey()}`);
  const module = join(dir, `${name}.mjs`);
  if (existsSync(module)) return module;
  mkdirSync(CACHE, { recursive: true });
  // Written to a folder of its own and renamed: a command started meanwhile never reads half a module.
  const partial = `${dir}.${process.pid}.partial`;
  // Loaded only to compile: a command whose module is there does not pay for it.
  const { build } = await import("esbuild");
  await build({
    entryPoints: [entry],
    outdir: partial,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    // What a command imports only when it needs it (await import(...)) stays a module of its own, loaded then.
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "error",
  });
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another command compiled the same sources a moment earlier: theirs is as good.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(module)) throw error;
  }
  // Modules of older sources: gone, but not while a command that started a moment ago may be about to load one.
  const hourAgo = Date.now() - 3600_000;
  for (const other of readdirSync(CACHE)) {
    const path = join(CACHE, other);
    if (other.startsWith(`${name}-`) && path !== dir && statSync(path).mtimeMs < hourAgo)
      rmSync(path, { recursive: true, force: true });
  }
  return module;
}

const [name, ...rest] = process.argv.slice(2);
const module = await compiled(name);
// The command reads its own arguments, as if it had been started by itself.
process.argv = [process.argv[0], join(root, "lib", "commands", `${name}.ts`), ...rest];
process.setSourceMapsEnabled(true);
await import(pathToFileURL(module).href);
