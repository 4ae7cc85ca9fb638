import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCassandra, type RunningCassandra } from "../../test-support/cassandra/server";
import { PROJECT_ROOT } from "../helpers/synth";
import { runNpmScript } from "../helpers/project";

// A node that accepts TLS client connections only, with a certificate from its own CA.
describe("schema applier against a Cassandra that requires TLS", () => {
  let server: RunningCassandra;
  let certs: string;

  beforeAll(async () => {
    certs = mkdtempSync(join(tmpdir(), "chatbattle-tls-"));
    const inCerts = (f: string) => join(certs, f);
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=chatbattle-test-ca",
      "-keyout", inCerts("ca.key"), "-out", inCerts("ca.pem")], { stdio: "ignore" });
    execFileSync("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
      "-keyout", inCerts("node.key"), "-out", inCerts("node.csr")], { stdio: "ignore" });
    execFileSync("sh", ["-c", `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ${inCerts("san.ext")}`]);
    execFileSync("openssl", ["x509", "-req", "-in", inCerts("node.csr"), "-CA", inCerts("ca.pem"), "-CAkey", inCerts("ca.key"),
      "-CAcreateserial", "-days", "1", "-extfile", inCerts("san.ext"), "-out", inCerts("node.pem")], { stdio: "ignore" });
    execFileSync("openssl", ["pkcs12", "-export", "-in", inCerts("node.pem"), "-inkey", inCerts("node.key"), "-name", "node",
      "-passout", "pass:changeit", "-out", inCerts("node.p12")], { stdio: "ignore" });
    server = await startCassandra({ clientTls: { keystorePath: inCerts("node.p12"), password: "changeit" } });
    console.log(`integration: Cassandra ${server.releaseVersion} with client TLS started in ${server.startupSeconds.toFixed(1)} s`);
  });
  afterAll(async () => {
    await server?.stop();
    if (certs) rmSync(certs, { recursive: true, force: true });
  });

  const apply = (env: Record<string, string>) =>
    runNpmScript(PROJECT_ROOT, "schema:apply", {
      CASSANDRA_CONTACT_POINTS: `${server.host}:${server.port}`,
      CASSANDRA_KEYSPACE: "chat_tls",
      SCHEMA_WAIT_SECONDS: "60",
      ...env,
    });

  it("applies over TLS, verifying the node's certificate against the given CA", () => {
    const { status, output } = apply({ CASSANDRA_TLS: "true", CASSANDRA_TLS_CA_FILE: join(certs, "ca.pem") });
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
