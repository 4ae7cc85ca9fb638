/**
 * "Is it ready?" as a client on this machine sees it, cheap enough to ask
 * every 100 ms: the benchmark's floor is each service's own start-to-ready.
 */
import { createConnection } from "node:net";
import cassandra from "cassandra-driver";
import { probeZooKeeper } from "../lib/checks/health";
import { cqlOptionsUnanswered } from "../lib/adapters/cassandra/cql-options";

/** ZooKeeper answers `srvr` with its mode. */
export async function zookeeperReady(host: string, port: number): Promise<boolean> {
  return (await probeZooKeeper(host, port, 1000)).ready;
}

/** One Kafka request (API key, version, body) and its response body, or an error. */
function kafkaRequest(host: string, port: number, apiKey: number, version: number, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const clientId = Buffer.from("chatbattle-bench");
    const header = Buffer.alloc(10);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(version, 2);
    header.writeInt32BE(1, 4); // correlation id
    header.writeInt16BE(clientId.length, 8);
    const payload = Buffer.concat([header, clientId, body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    let received = Buffer.alloc(0);
    socket.setTimeout(1000, () => socket.destroy(new Error("timeout")));
    socket.on("connect", () => socket.write(Buffer.concat([size, payload])));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        socket.destroy();
        resolve(received.subarray(8)); // past the size and the correlation id
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("closed")));
  });
}

/**
 * The broker answers a Metadata request listing itself and a controller:
 * registered and ready for admin requests, what the healthcheck's tool waits for.
 */
export async function kafkaReady(host: string, port: number): Promise<boolean> {
  try {
    // Metadata v1, all topics (a null topic array).
    const body = await kafkaRequest(host, port, 3, 1, Buffer.from([0xff, 0xff, 0xff, 0xff]));
    let offset = 0;
    const brokers = body.readInt32BE(offset);
    offset += 4;
    for (let i = 0; i < brokers; i += 1) {
      offset += 4; // node id
      offset += 2 + body.readInt16BE(offset); // host
      offset += 4; // port
      const rack = body.readInt16BE(offset);
      offset += 2 + Math.max(rack, 0);
    }
    return brokers > 0 && body.readInt32BE(offset) >= 0;
  } catch {
    return false;
  }
}

/**
 * Cassandra answers a CQL query. Asked first with the protocol's OPTIONS
 * request (half a second at most): the driver's own first try against a
 * node that is still starting waits its whole read timeout behind Docker's
 * port forwarding, which made the floor up to 2 s later than the node.
 */
export async function cassandraReady(host: string, port: number, datacenter: string): Promise<boolean> {
  if (await cqlOptionsUnanswered(host, port, 500)) return false;
  const client = new cassandra.Client({
    contactPoints: [host],
    protocolOptions: { port },
    localDataCenter: datacenter,
    socketOptions: { connectTimeout: 1000, readTimeout: 2000 },
  });
  try {
    await client.connect();
    await client.execute("SELECT release_version FROM system.local");
    return true;
  } catch {
    return false;
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/** Seconds until `ready()` answers true, asking every `everyMs`; throws after `timeoutSeconds`. */
export async function secondsUntil(
  ready: () => Promise<boolean>,
  since: number,
  timeoutSeconds: number,
  everyMs = 100,
): Promise<number> {
  for (;;) {
    if (await ready()) return (Date.now() - since) / 1000;
    if (Date.now() - since > timeoutSeconds * 1000) throw new Error(`not ready after ${timeoutSeconds} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
