import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A CA of the test's own and one server certificate it signed, for 127.0.0.1 and localhost. */
export interface TestCertificates {
  readonly dir: string;
  /** The CA certificate (PEM): what clients trust. */
  readonly caPem: string;
  /** The server's private key (unencrypted PKCS#8) followed by its certificate: a PEM key store. */
  readonly serverKeyAndCertPem: string;
  /** The same key and certificate as PKCS#12, with password `changeit`. */
  readonly serverP12: string;
  remove(): void;
}

/** Makes the CA and the certificate with openssl, in a fresh folder that everyone can read. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "chatbattle-certs-"));
  chmodSync(dir, 0o755);
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=chatbattle-test-ca",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
  );
  writeFileSync(file("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("san.ext"),
    "-out",
    file("server.pem"),
  );
  writeFileSync(
    file("server-key-and-cert.pem"),
    readFileSync(file("server.key"), "utf8") + readFileSync(file("server.pem"), "utf8"),
  );
  openssl(
    "pkcs12",
    "-export",
    "-in",
    file("server.pem"),
    "-inkey",
    file("server.key"),
    "-name",
    "server",
    "-passout",
    "pass:changeit",
    "-out",
    file("server.p12"),
  );
  // Servers in containers run as their own users: let them read everything but the CA's key.
  for (const name of ["ca.pem", "server.key", "server.pem", "server-key-and-cert.pem", "server.p12"])
    chmodSync(file(name), 0o644);
  return {
    dir,
    caPem: file("ca.pem"),
    serverKeyAndCertPem: file("server-key-and-cert.pem"),
    serverP12: file("server.p12"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
