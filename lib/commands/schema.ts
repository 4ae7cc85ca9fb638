/**
 * npm run schema:apply [-- --allow-data-loss] — applies cql/ to Cassandra
 *   (what deploy runs); a statement that deletes data (DROP, TRUNCATE,
 *   DELETE, ALTER … DROP) is counted and refused unless allowed.
 * npm run schema:verify — compares the live schema with what cql/ declares.
 *
 * Exit codes: 0 success, 1 failure (unreachable, refused, a statement failed,
 * a mismatch), 2 bad configuration or usage.
 */
import { join } from "node:path";
import type { ChatBattleConfig } from "../config/config";
import { cassandraConnection, describeConnection } from "../topology/connections";
import { connectWhenReady, describeDriverError, type CqlSession } from "../adapters/cassandra/connect";
import { applySchema, consentFromEnvironment, CQL_CONSENT_ENV } from "../schema/applier";
import { verifySchema } from "../schema/verify";
import { readCqlFiles } from "../schema/cql-files";
import { formatTable } from "../checks/table";
import { defineCommand } from "./support/define-command";
import { PROJECT_ROOT } from "../project-root";
import { CommandError, UsageError } from "../errors";

const CQL_DIR = join(PROJECT_ROOT, "cql");
const log = (line: string) => console.log(line);

async function apply(
  settings: ChatBattleConfig["cassandra"],
  client: CqlSession,
  allowDataLoss: boolean,
): Promise<number> {
  const files = readCqlFiles(CQL_DIR);
  // Run by a deploy's schema step, the consent comes from the deploy, which showed what it allows.
  const byDeploy = process.env[CQL_CONSENT_ENV] !== undefined;
  const result = await applySchema(client, files, settings, {
    log,
    allowedLosses: allowDataLoss ? "shown" : consentFromEnvironment(process.env),
    allowCommand: byDeploy ? "npm run deploy -- --allow-data-loss" : "npm run schema:apply -- --allow-data-loss",
  });
  log(
    `schema: ${result.applied.length} file(s) applied, ${result.alreadyApplied.length} already applied, keyspace ${settings.keyspace}`,
  );
  return 0;
}

async function verify(settings: ChatBattleConfig["cassandra"], client: CqlSession): Promise<number> {
  const checks = await verifySchema(client, settings.keyspace, settings.replication);
  log(
    formatTable(
      ["RESULT", "CHECK", "FOUND"],
      checks.map((c) => [
        c.ok ? "ok" : "MISMATCH",
        c.what,
        c.ok ? c.actual : `expected ${c.expected}, found ${c.actual}`,
      ]),
    ),
  );
  const bad = checks.filter((c) => !c.ok).length;
  log(bad === 0 ? "schema: matches cql/" : `schema: ${bad} mismatch(es) with cql/`);
  return bad === 0 ? 0 : 1;
}

const COMMANDS = { apply, verify } as const;

async function main(
  config: ChatBattleConfig,
  env: Readonly<Record<string, string | undefined>>,
  command: keyof typeof COMMANDS,
  allowDataLoss: boolean,
): Promise<number> {
  // Without CASSANDRA_CONTACT_POINTS, the node the app deploys, where the topology places it.
  const connection = cassandraConnection(config, env);
  log(`schema: connecting to ${describeConnection(connection)}`);
  let client: CqlSession | undefined;
  try {
    client = await connectWhenReady(connection, { log });
    return await COMMANDS[command](config.cassandra, client, allowDataLoss);
  } catch (error) {
    if (error instanceof CommandError) throw error;
    // A driver timeout, a permission error: still one clear line (DEBUG=1 shows the rest).
    if (process.env.DEBUG) console.error(error);
    throw new CommandError(describeDriverError(error));
  } finally {
    await client?.shutdown();
  }
}

const USAGE =
  "usage: npm run schema:apply [-- --allow-data-loss] | npm run schema:verify (node scripts/command.mjs schema apply|verify)";
await defineCommand({
  name: `schema ${process.argv[2] ?? ""}`.trim(),
  usage: USAGE,
  arguments: { allowPositionals: true, options: { "allow-data-loss": { type: "boolean", default: false } } },
  checkArguments: ({ values, positionals: [command, ...extra] }) => {
    if (!(command in COMMANDS) || extra.length > 0 || (values["allow-data-loss"] && command !== "apply"))
      throw new UsageError(USAGE);
  },
  run: ({ args, config, env }) =>
    main(config, env, args.positionals[0] as keyof typeof COMMANDS, args.values["allow-data-loss"]!),
});
