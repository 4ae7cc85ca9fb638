/**
 * `npm run migrate [-- --kafka-mode zookeeper|kraft] [--brokers 1|3]`: moves
 * the running local stack from the Kafka mode and broker count its volumes
 * hold to those the options (or, without them, the settings) name, and keeps
 * its data, in four steps: save a snapshot, reset, deploy with the new
 * settings, restore the snapshot. The new settings are written to .env once
 * the old stack is gone, so `npm run deploy` afterwards deploys the new one.
 * First the new stack's pre-flight runs, so that a port taken or an image
 * missing stops it before anything changes. Then it stops at the first step
 * that fails and says where the snapshot is and how to carry on; the snapshot is kept afterwards (npm run snapshot --
 * delete NAME removes it).
 *
 * Exit codes: 0; 1 when a step fails; 2 on bad usage or settings; 130/143
 * after Ctrl-C/SIGTERM.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDotEnv } from "../load-env";
import { parseConfig, type ChatBattleConfig } from "../config/config";
import { runCommand } from "../process/run-command";
import { acquireProjectLock } from "../process/project-lock";
import { Interrupts } from "../process/interrupts";
import { readArguments } from "./support/arguments";
import { refuseOnCluster } from "./support/local-only";
import { openStackData } from "./support/stack-data";
import { projectRemoval } from "./support/project-removal";
import { deployStack } from "./support/deploy-stack";
import { deployedKafka, printPreflight, runPreflight } from "../checks/preflight";
import { findProjectObjects } from "../adapters/docker/project-objects";
import { PROJECT_ROOT } from "../project-root";
import { CommandError } from "../errors";
import { readManifest, snapshotRoot } from "../snapshots/store";
import { saveSnapshot } from "../snapshots/save";
import { restoreSnapshot } from "../snapshots/restore";

const USAGE = "usage: npm run migrate [-- --kafka-mode zookeeper|kraft] [--brokers 1|3]   (without options: to what the settings say)";
const say = (line: string) => console.log(line);
const describe = (config: ChatBattleConfig) => `KAFKA_MODE=${config.kafka.mode} with ${config.kafka.brokers} broker(s)`;

/** Sets these settings in the project's .env, in place where a line sets them, else at its end. */
function writeSettings(path: string, settings: Readonly<Record<string, string>>): void {
  let text = existsSync(path) ? readFileSync(path, "utf8") : "";
  for (const [name, value] of Object.entries(settings)) {
    const line = new RegExp(`^${name}=.*$`, "m");
    text = line.test(text) ? text.replace(line, `${name}=${value}`) : `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${name}=${value}\n`;
  }
  writeFileSync(path, text);
}

async function main(): Promise<number> {
  const { values } = readArguments(USAGE, { options: { "kafka-mode": { type: "string" }, brokers: { type: "string" } } });
  // Which settings the environment itself sets: those win over .env, so the user must change them there too.
  const fromEnvironment = ["KAFKA_MODE", "KAFKA_BROKERS"].filter((name) => process.env[name] !== undefined);
  loadDotEnv();
  refuseOnCluster("npm run migrate", process.env);
  // Where to: the options, else the settings. Where from: what the volumes on the engine hold.
  const to = parseConfig({
    ...process.env,
    ...(values["kafka-mode"] !== undefined ? { KAFKA_MODE: values["kafka-mode"] } : {}),
    ...(values.brokers !== undefined ? { KAFKA_BROKERS: values.brokers } : {}),
  });
  const changed = { KAFKA_MODE: to.kafka.mode, KAFKA_BROKERS: String(to.kafka.brokers) };
  const found = findProjectObjects();
  const deployed = deployedKafka(found.volumes);
  if (!deployed) {
    say(`migrate: no Kafka data on this engine to move; npm run deploy starts ${describe(to)} fresh.`);
    return 0;
  }
  const from = parseConfig({ ...process.env, KAFKA_MODE: deployed.mode, KAFKA_BROKERS: String(deployed.brokers) });
  if (to.kafka.mode === from.kafka.mode && to.kafka.brokers === from.kafka.brokers) {
    say(`migrate: the stack already runs ${describe(from)}; nothing to do. (Pass --kafka-mode and --brokers to move it elsewhere.)`);
    return 0;
  }
  if (found.containers.length === 0) {
    throw new CommandError(
      `the stack is stopped, and its data is read from the running services. Start it as it was (KAFKA_MODE=${from.kafka.mode} KAFKA_BROKERS=${from.kafka.brokers} npm run deploy), then migrate.`,
    );
  }

  // The new stack's pre-flight, before the old one is touched: a port taken, too little memory or a
  // missing image stops the move here, with nothing changed. Its Kafka data row is the move itself.
  say(`migrate: from ${describe(from)} to ${describe(to)}, keeping every record, consumer group offset and row`);
  say(`migrate: first, that ${describe(to)} can be deployed here, before anything changes`);
  const checks = (await runPreflight(to)).filter((c) => c.check !== "Kafka data");
  if (!printPreflight(checks)) throw new CommandError(`the new stack would not deploy (see above); nothing was changed.`);

  acquireProjectLock(PROJECT_ROOT, "npm run migrate");
  const interrupts = new Interrupts("migrate").install();
  const root = snapshotRoot(from.snapshotDir, PROJECT_ROOT);
  const name = `before-migrate-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const where = join(root, name);
  const started = Date.now();
  const step = (n: number, what: string) => say(`\nmigrate: step ${n} of 4: ${what}`);
  try {

    step(1, `save a snapshot of the data (${where})`);
    const source = await openStackData(from, process.env, say);
    try {
      await saveSnapshot(source, root, name, { say, signal: interrupts.signal });
    } finally {
      await source.close();
    }
    if (interrupts.interrupted) return interrupts.exitCode;

    const carryOn = (after: string) =>
      `Your data is safe in the snapshot ${name} (${where}). ${after}`;
    step(2, "remove the old stack (containers, network, volumes, state); the snapshot stays");
    if (!projectRemoval(PROJECT_ROOT).remove(interrupts, "migrate")) {
      console.error(`migrate: ${carryOn(`To carry on: npm run reset -- --yes, set ${Object.entries(changed).map(([k, v]) => `${k}=${v}`).join(" ")} in .env, npm run deploy, then npm run snapshot -- restore ${name}.`)}`);
      return interrupts.exitCode;
    }
    const envFile = join(PROJECT_ROOT, ".env");
    writeSettings(envFile, changed);
    say(`migrate: .env now sets ${Object.entries(changed).map(([k, v]) => `${k}=${v}`).join(" ")}`);
    Object.assign(process.env, changed);

    step(3, `deploy with ${describe(to)}`);
    const deployed = await deployStack(to, { allowDataLoss: false, interrupts }).catch((error: unknown) => {
      console.error(`deploy: ${error instanceof Error ? error.message : error}`);
      return 1;
    });
    if (deployed !== 0) {
      console.error(`migrate: the deploy did not finish. ${carryOn(`Fix the cause, then run npm run deploy and npm run snapshot -- restore ${name}.`)}`);
      return interrupts.interrupted ? interrupts.exitCode : 1;
    }

    step(4, `restore ${name}`);
    const manifest = readManifest(root, name);
    const target = await openStackData(to, process.env, say);
    try {
      await restoreSnapshot(manifest, where, target, { replace: false, say, signal: interrupts.signal });
    } catch (error) {
      console.error(`migrate: ${error instanceof Error ? error.message : error}`);
      console.error(`migrate: the restore did not finish. ${carryOn(`Run npm run snapshot -- restore ${name} --replace to restore it whole.`)}`);
      return interrupts.interrupted ? interrupts.exitCode : 1;
    } finally {
      await target.close();
    }
    say(`\nmigrate: done in ${((Date.now() - started) / 1000).toFixed(1)} s: the stack runs ${describe(to)} with the data it had. The snapshot ${name} is kept (npm run snapshot -- delete ${name} removes it).`);
    if (fromEnvironment.length > 0) {
      say(`migrate: ${fromEnvironment.join(" and ")} ${fromEnvironment.length > 1 ? "are" : "is"} set in your environment, which wins over .env: set ${fromEnvironment.map((n) => `${n}=${changed[n as keyof typeof changed]}`).join(" ")} there too.`);
    }
    return 0;
  } finally {
    interrupts.stop();
  }
}

await runCommand("migrate", main);
