import { createConnection } from "node:net";

/**
 * An OPTIONS request of the native protocol, version 4 (which Cassandra 3 to
 * 5 speak): version 0x04, no flags, stream 0, opcode 0x05, no body.
 */
const OPTIONS_REQUEST = Buffer.from([0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00]);

/** A v4 response (0x84) whose opcode (byte 4) is SUPPORTED (0x06). */
const isSupported = (response: Buffer) => response.length >= 5 && response[0] === 0x84 && response[4] === 0x06;

/**
 * Undefined when a node serves CQL at host:port: it answers an OPTIONS
 * request with SUPPORTED within `timeoutMs`; otherwise why not, in words. One connection and nine bytes each way, so it
 * can be asked every 100 ms while a node starts. The driver cannot tell as
 * quickly: while a node starts, Docker's port forwarding accepts the
 * connection and nothing answers, so each of its tries waits out its whole
 * read timeout (2 s measured per try) and the node's first answer was
 * noticed up to 2 s late. Plain connections only: with TLS the driver asks.
 */
export function cqlOptionsUnanswered(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = createConnection({ host, port });
    const done = (why: string | undefined) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(timeoutMs, () =>
      done(`${host}:${port} gave no answer to an OPTIONS request within ${timeoutMs} ms`),
    );
    socket.on("connect", () => socket.write(OPTIONS_REQUEST));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 5)
        done(
          isSupported(received)
            ? undefined
            : `${host}:${port} answered OPTIONS with something else than CQL's SUPPORTED`,
        );
    });
    socket.on("error", (error) => done(`${host}:${port}: ${error.message}`));
    socket.on("close", () => done(`${host}:${port} closed the connection without an answer`));
  });
}
