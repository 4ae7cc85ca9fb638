import { afterAll, beforeAll, describe, expect, it } from "vitest";
import cassandra from "cassandra-driver";
import { startCassandra, type RunningCassandra } from "../../test-support/cassandra/server";
import { PROJECT_ROOT } from "../../test-support/synth";
import { runNpmScript } from "../../test-support/project";

// A second node that requires a login, as a shared or production cluster does.
describe("schema applier against a Cassandra that requires a login", () => {
  let server: RunningCassandra;
  beforeAll(async () => {
    server = await startCassandra({ passwordAuthentication: true });
    console.log(
      `integration: Cassandra ${server.releaseVersion} with PasswordAuthenticator started in ${server.startupSeconds.toFixed(1)} s`,
    );
    // The superuser exists once the auth keyspace is set up; wait until a login works.
    const client = new cassandra.Client({
      contactPoints: [server.host],
      protocolOptions: { port: server.port },
      localDataCenter: server.datacenter,
      credentials: { username: "cassandra", password: "cassandra" },
    });
    for (let i = 0; ; i += 1) {
      try {
        await client.connect();
        break;
      } catch (error) {
        if (i > 60) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    // A role of our own, with a password that cannot be mistaken for anything else in the output.
    await client.execute(
      "CREATE ROLE IF NOT EXISTS schema_admin WITH PASSWORD = 'pw-Zx81-secret' AND LOGIN = true AND SUPERUSER = true",
    );
    await client.shutdown();
  });
  afterAll(async () => server?.stop());

  const apply = (username: string, password: string) =>
    runNpmScript(PROJECT_ROOT, "schema:apply", {
      CASSANDRA_CONTACT_POINTS: `${server.host}:${server.port}`,
      CASSANDRA_KEYSPACE: "chat_auth",
      CASSANDRA_USERNAME: username,
      CASSANDRA_PASSWORD: password,
      SCHEMA_WAIT_SECONDS: "60",
    });

  it("applies with the right credentials and never prints the password", () => {
    const { status, output } = apply("schema_admin", "pw-Zx81-secret");
    expect(status, output).toBe(0);
    expect(output).toContain("user schema_admin, password set");
    expect(output).toContain("schema: 2 file(s) applied");
    expect(output).not.toContain("pw-Zx81-secret");
  });

  it("fails at once, not at the deadline, with a wrong password, and does not print it", () => {
    const { status, output, seconds } = apply("schema_admin", "not-the-password-42");
    expect(status).toBe(1);
    expect(output).toMatch(/refused the connection: .*Provided username schema_admin and\/or password are incorrect/);
    expect(output).toContain("Check CASSANDRA_USERNAME/CASSANDRA_PASSWORD");
    expect(output).not.toContain("not-the-password-42");
    // SCHEMA_WAIT_SECONDS is 60: a retry loop would take that long.
    expect(seconds).toBeLessThan(30);
  });
});
