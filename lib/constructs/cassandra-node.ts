import { Construct } from "constructs";
import type { Container } from "@cdktf/provider-docker/lib/container/index.js";
import {
  healthcheckWorstCaseSeconds,
  ServiceContainer,
  type HealthcheckProps,
  type ServiceProps,
} from "./service-container";

export interface CassandraNodeProps extends ServiceProps<"cql" | "internode" | "internodeTls"> {
  /** Datacenter name of the node (GossipingPropertyFileSnitch). */
  readonly datacenter: string;
  /** Volume for data, commit log and hints (/var/lib/cassandra). */
  readonly dataVolumeName: string;
}

/**
 * JVM options of the node, through the image's JVM_EXTRA_OPTS (cassandra:4.1
 * and 5.0 append them; cassandra.yaml settings can be given as
 * cassandra.settings.* system properties once allowed).
 * - No gossip settling: one node has nobody to wait for, so start-up is shorter.
 * - commitlog_sync batch: a write is acknowledged only once it is in a synced
 *   commit log section. With the image's periodic mode (10 s), a node killed
 *   without a clean shutdown lost 207 of 40,000 acknowledged rows here: its
 *   replay skips what was written after the last sync marker. Batch mode lost
 *   none in 3 kills; 20,000 rows took 3.3-4.9 s to write instead of 1.7-2.9 s.
 *   Batch refuses a commitlog_sync_period, which the image's yaml sets, so it is set to 0.
 * - No shutdown announcement wait: on a stop, a node tells its peers it is
 *   going and then sleeps 2 s (shutdown_announce_in_ms) so the news spreads.
 *   One node has no peers; the drain (memtables flushed) is untouched. A
 *   `docker stop` took 2.6 s instead of 4.7 s here.
 */
export const CASSANDRA_JVM_EXTRA_OPTS: readonly string[] = [
  "-Dcassandra.skip_wait_for_gossip_to_settle=0",
  "-Dcassandra.config.allow_system_properties=true",
  "-Dcassandra.settings.commitlog_sync=batch",
  "-Dcassandra.settings.commitlog_sync_period=0ms",
  "-Dcassandra.shutdown_announce_in_ms=0",
];

/**
 * A shell check that Cassandra on `port` serves the native protocol: it
 * writes an OPTIONS request (protocol v4, which Cassandra 3 to 5 speak:
 * version 0x04, no flags, stream 0, opcode 0x05, no body) and expects a v4
 * response (0x84) with opcode 0x06, SUPPORTED. A node that accepts but does
 * not answer yet fails after 2 s. The schema applier still waits for a real
 * query before it applies anything.
 */
export function cqlOptionsProbe(port: number): string {
  return (
    `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && printf "\\x04\\x00\\x00\\x00\\x05\\x00\\x00\\x00\\x00" >&3 && ` +
    `r=$(timeout 2 head -c 9 <&3 | od -An -tx1 | tr -d " \\n") && case "$r" in 84??????06????????) true;; *) false;; esac'`
  );
}

/** A single-node Cassandra cluster. */
export class CassandraNode extends Construct {
  public readonly container: Container;
  /** host:port a CQL client on this machine connects to, e.g. 127.0.0.1:9042 or [::1]:9042. */
  public readonly contactPoint: string;
  /** The node's datacenter: what a client names as its local datacenter. */
  public readonly datacenter: string;
  /**
   * How long a client may wait for the node's first CQL answer after its
   * container starts: as long as Docker waits before it calls the node
   * unhealthy. Its creation does not wait for health (the schema applier
   * waits for CQL itself, so its own start overlaps the node's).
   */
  public readonly readyWithinSeconds: number;

  constructor(scope: Construct, id: string, props: CassandraNodeProps) {
    super(scope, id);
    this.contactPoint = props.endpoint;
    const cql = props.ports.cql.container;
    this.datacenter = props.datacenter;
    // Ready: the native protocol answers (see cqlOptionsProbe). Alive: the CQL
    // port accepts connections. Both are bash's /dev/tcp: cqlsh, a Python
    // client started per probe, cost the services starting beside it CPU. A
    // cold start on a busy 2-core machine can take minutes: about 10 in all
    // (60 s + 6 × (2 s + 90 s)) before Docker, and so the schema step, gives up.
    const healthcheck: HealthcheckProps = {
      alive: `bash -c '</dev/tcp/127.0.0.1/${cql}'`,
      ready: cqlOptionsProbe(cql),
      intervalSeconds: 2,
      timeoutSeconds: 90,
      retries: 6,
      startPeriodSeconds: 60,
    };
    this.readyWithinSeconds = healthcheckWorstCaseSeconds(healthcheck);
    this.container = new ServiceContainer(this, "service", {
      containerName: props.containerName,
      serviceName: "cassandra",
      image: props.image,
      networkName: props.networkName,
      bindAddress: props.bindAddress,
      environment: {
        CASSANDRA_CLUSTER_NAME: "chatbattle",
        CASSANDRA_DC: props.datacenter,
        CASSANDRA_RACK: "rack1",
        CASSANDRA_ENDPOINT_SNITCH: "GossipingPropertyFileSnitch",
        // One node: one token and no gossip settling shorten start-up a lot.
        CASSANDRA_NUM_TOKENS: "1",
        JVM_EXTRA_OPTS: CASSANDRA_JVM_EXTRA_OPTS.join(" "),
        // Both must be set together; sized to the seed's 1-2 GB budget.
        MAX_HEAP_SIZE: "1G",
        HEAP_NEWSIZE: "256M",
      },
      ports: [
        { containerPort: cql, hostPort: props.ports.cql.host },
        { containerPort: props.ports.internode.container, hostPort: props.ports.internode.host },
        { containerPort: props.ports.internodeTls.container, hostPort: props.ports.internodeTls.host },
      ],
      volumes: [{ volumeName: props.dataVolumeName, containerPath: "/var/lib/cassandra" }],
      healthcheck,
      awaitHealthy: false,
      // A clean stop drains (flushes memtables, closes the commit log): about 5 s
      // measured with 20,000 fresh rows, so 60 s is a wide margin. Killed anyway, it
      // loses nothing acknowledged: see CASSANDRA_JVM_EXTRA_OPTS.
      stopGraceSeconds: 60,
      memoryMiB: props.memoryMiB,
    }).container;
  }
}
