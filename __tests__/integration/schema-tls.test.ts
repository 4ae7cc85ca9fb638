import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates, type TestCertificates } from "../../test-support/tls";
import { startCassandra, type RunningCassandra } from "../../test-support/cassandra/server";
import { PROJECT_ROOT } from "../../test-support/synth";
import { runNpmScript } from "../../test-support/project";

// A node that accepts TLS client connections only, with a certificate from its own CA.
describe("schema applier against a Cassandra that requires TLS", () => {
  let server: RunningCassandra;
  let certs: TestCertificates;

  beforeAll(async () => {
    certs = makeTestCertificates();
    server = await startCassandra({ clientTls: { keystorePath: certs.serverP12, password: "changeit" } });
    console.log(
      `integration: Cassandra ${server.releaseVersion} with client TLS started in ${server.startupSeconds.toFixed(1)} s`,
    );
  });
  afterAll(async () => {
    await server?.stop();
    certs?.remove();
  });

  const apply = (env: Record<string, string>) =>
    runNpmScript(PROJECT_ROOT, "schema:apply", {
      CASSANDRA_CONTACT_POINTS: `${server.host}:${server.port}`,
      CASSANDRA_KEYSPACE: "chat_tls",
      SCHEMA_WAIT_SECONDS: "60",
      ...env,
    });

  it("applies over TLS, verifying the node's certificate against the given CA", () => {
    const { status, output } = apply({ CASSANDRA_TLS: "true", CASSANDRA_TLS_CA_FILE: certs.caPem });
    expect(status, output).toBe(0);
    expect(output).toContain("TLS on");
    expect(output).toContain("schema: 2 file(s) applied");
  });

  it("refuses a certificate it cannot verify, at once rather than at the deadline", () => {
    const { status, output, seconds } = apply({ CASSANDRA_TLS: "true" });
    expect(status).toBe(1);
    expect(output).toMatch(/refused the connection: .*(self[- ]signed|unable to verify|certificate)/i);
    expect(output).toContain("CASSANDRA_TLS_CA_FILE");
    expect(seconds).toBeLessThan(30);
  });
});
