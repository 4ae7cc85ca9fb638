/**
 * npm run schema:apply  — applies cql/ to Cassandra (what deploy runs).
 * npm run schema:verify — compares the live schema with what cql/ declares.
 *
 * Exit codes: 0 success, 1 failure (unreachable, refused, a statement failed,
 * a mismatch), 2 bad configuration or usage.
 */
import { fileURLToPath } from "node:url";
import { loadDotEnv } from "../load-env";
import { ConfigError } from "../config/config";
import { parseSchemaSettings, describeSettings, type SchemaSettings } from "./schema-settings";
import { connectWhenReady, CassandraUnreachableError, describeDriverError, type CassandraClient } from "./connect";
import { applySchema, StatementFailedError } from "./applier";
import { verifySchema } from "./verify";
import { readCqlFiles, CqlFileError } from "./cql-files";
import { PlanError } from "./plan";
import { CqlSyntaxError } from "./cql-splitter";
import { TemplateError } from "./render";

const CQL_DIR = fileURLToPath(new URL("../../cql", import.meta.url));
const log = (line: string) => console.log(line);

async function apply(settings: SchemaSettings, client: CassandraClient): Promise<number> {
  const files = readCqlFiles(CQL_DIR);
  const result = await applySchema(client, files, { keyspace: settings.keyspace, replication: settings.replication }, { log });
  log(
    `schema: ${result.applied.length} file(s) applied, ${result.alreadyApplied.length} already applied, keyspace ${settings.keyspace}`,
  );
  return 0;
}

async function verify(settings: SchemaSettings, client: CassandraClient): Promise<number> {
  const checks = await verifySchema(client, settings.keyspace, settings.replication);
  const width = Math.max(...checks.map((c) => c.what.length));
  for (const c of checks) {
    log(`${c.ok ? "ok      " : "MISMATCH"}  ${c.what.padEnd(width)}  ${c.ok ? c.actual : `expected ${c.expected}, found ${c.actual}`}`);
  }
  const bad = checks.filter((c) => !c.ok).length;
  log(bad === 0 ? "schema: matches cql/" : `schema: ${bad} mismatch(es) with cql/`);
  return bad === 0 ? 0 : 1;
}

const COMMANDS = { apply, verify } as const;

async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] as keyof typeof COMMANDS;
  if (!(command in COMMANDS) || argv.length > 1) {
    console.error("usage: tsx lib/schema/cli.ts apply|verify   (npm run schema:apply, npm run schema:verify)");
    return 2;
  }
  loadDotEnv();
  let settings: SchemaSettings;
  try {
    settings = parseSchemaSettings(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  log(`schema: connecting to ${describeSettings(settings)}`);
  let client: CassandraClient | undefined;
  try {
    client = await connectWhenReady(settings, { log });
    return await COMMANDS[command](settings, client);
  } catch (error) {
    const known = [CassandraUnreachableError, StatementFailedError, PlanError, CqlSyntaxError, CqlFileError, TemplateError];
    if (known.some((type) => error instanceof type)) {
      console.error(`schema ${command} failed: ${(error as Error).message}`);
    } else {
      // Anything else (a driver timeout, a permission error) still gets one clear line; the stack only helps us.
      console.error(`schema ${command} failed: ${describeDriverError(error)}`);
      if (process.env.DEBUG) console.error(error);
    }
    return 1;
  } finally {
    await client?.shutdown();
  }
}

process.exitCode = await main(process.argv.slice(2));
