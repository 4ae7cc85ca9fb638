/**
 * Starts a real PostgreSQL from Debian's packages (apt-get install postgresql)
 * for the state backend tests: a fresh cluster in a temporary folder, on a
 * free loopback port, with a password login (scram-sha-256). PostgreSQL
 * refuses to run as root, so as root it runs as the packages' postgres user.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port";

export interface RunningPostgres {
  /** postgres:// URL with the user and password: what PG_CONN_STR takes. */
  readonly connectionString: string;
  readonly password: string;
  readonly startupSeconds: number;
  /** Runs one SQL statement with psql; rows as text, one per line. */
  query(sql: string): string;
  stop(): void;
}

/** The folder of initdb and pg_ctl: Debian installs them per major version, outside PATH. */
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))) : [];
  if (versions.length === 0) throw new Error("PostgreSQL is not installed: apt-get install -y postgresql");
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], "bin");
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBin();
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), "chatbattle-postgres-"));
  const run = (command: string, args: readonly string[]): SpawnSyncReturns<string> => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
    return spawnSync(file, argv, { encoding: "utf8" });
  };
  const must = (command: string, args: readonly string[]) => {
    const result = run(command, args);
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
    return result.stdout;
  };
  if (asRoot) {
    const postgres = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    chownSync(dir, Number(postgres.stdout), Number(gid.stdout));
  }
  chmodSync(dir, 0o700);

  const user = "chatbattle";
  const password = `pg-${randomBytes(8).toString("hex")}`;
  const port = await freePort();
  const started = Date.now();
  writeFileSync(join(dir, "pwfile"), `${password}\n`);
  if (asRoot) spawnSync("chown", ["postgres", join(dir, "pwfile")]);
  must(join(bin, "initdb"), [
    "-D",
    join(dir, "data"),
    "-U",
    user,
    `--pwfile=${join(dir, "pwfile")}`,
    "--auth=scram-sha-256",
    "-E",
    "UTF8",
  ]);
  must(join(bin, "pg_ctl"), [
    "-D",
    join(dir, "data"),
    "-l",
    join(dir, "log"),
    "-w",
    "-t",
    "60",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    "start",
  ]);
  const connectionString = `postgres://${user}:${password}@127.0.0.1:${port}/postgres?sslmode=disable`;
  return {
    connectionString,
    password,
    startupSeconds: (Date.now() - started) / 1000,
    query: (sql) => {
      const result = spawnSync(join(bin, "psql"), [connectionString, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], {
        encoding: "utf8",
      });
      if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
      return result.stdout.trim();
    },
    stop: () => {
      run(join(bin, "pg_ctl"), ["-D", join(dir, "data"), "-m", "immediate", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
