/**
 * The OPTIONS question a wait for Cassandra asks every 100 ms, against small
 * servers of the test's own: one that answers as CQL does, one that accepts
 * and says nothing (Docker's port forwarding while a node starts), and a port
 * nothing listens on.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createServer, type Server, type Socket } from "node:net";
import { cqlOptionsUnanswered } from "../../../lib/adapters/cassandra/cql-options";

const servers: Server[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server on a free loopback port that does `onConnection` with each connection; its port. */
function serve(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    onConnection(socket);
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

describe("cqlOptionsUnanswered", () => {
  it("is undefined when the server answers OPTIONS with a v4 SUPPORTED frame", async () => {
    const port = await serve((socket) =>
      socket.once("data", (request) => {
        // The request: v4, stream 0, OPTIONS (0x05), no body.
        expect([...request]).toEqual([0x04, 0, 0, 0, 0x05, 0, 0, 0, 0]);
        socket.end(Buffer.from([0x84, 0, 0, 0, 0x06, 0, 0, 0, 0]));
      }),
    );
    expect(await cqlOptionsUnanswered("127.0.0.1", port, 500)).toBeUndefined();
  });

  it("says so within its time when the server accepts and answers nothing", async () => {
    const port = await serve(() => undefined);
    const started = Date.now();
    expect(await cqlOptionsUnanswered("127.0.0.1", port, 300)).toBe(
      `127.0.0.1:${port} gave no answer to an OPTIONS request within 300 ms`,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("names a refused connection and an answer that is not SUPPORTED", async () => {
    const closedPort = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await cqlOptionsUnanswered("127.0.0.1", closedPort, 500)).toMatch(/ECONNREFUSED/);
    const errorPort = await serve((socket) => socket.end(Buffer.from([0x84, 0, 0, 0, 0x00, 0, 0, 0, 0])));
    expect(await cqlOptionsUnanswered("127.0.0.1", errorPort, 500)).toBe(
      `127.0.0.1:${errorPort} answered OPTIONS with something else than CQL's SUPPORTED`,
    );
  });
});
