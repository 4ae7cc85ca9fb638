import { App } from "cdktf";
import { join } from "node:path";
import type { ChatBattleConfig } from "./config/config";
import { replicationSettings } from "./config/replication";
import { VolumesStack } from "./stacks/volumes-stack";
import { NetworkStack } from "./stacks/network-stack";
import { KafkaStack } from "./stacks/kafka-stack";
import { CassandraStack } from "./stacks/cassandra-stack";
import { TopicsStack } from "./stacks/topics-stack";
import { SchemaStack } from "./stacks/schema-stack";
import { declaredTopics, topicDefinitions, type TopicSpec } from "./topics";
import { readCqlFiles, type CqlFile } from "./schema/cql-files";
import { applierEnvironment } from "./schema/applier-environment";
import { cassandraConnection } from "./topology/connections";
import { localTopology } from "./topology/local-topology";
import { useStateBackend } from "./stacks/state-backend";
import { usesTls } from "./config/target";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Who refuses a plan that would delete or replace a topic or a volume.
 * - terraform: Terraform itself, through lifecycle.prevent_destroy: plain
 *   `npx cdktf deploy` and `destroy` run Terraform with no review of theirs;
 * - review: the app's data-loss gate, which reads every plan before
 *   `npm run deploy` applies it, and applies one that loses data only when
 *   told to (--allow-data-loss); prevent_destroy would stop it from even
 *   showing such a plan.
 */
export type DataGuard = "terraform" | "review";

/** The Docker stacks of the local target. */
export interface LocalStacks {
  readonly volumes: VolumesStack;
  readonly network: NetworkStack;
  readonly kafka: KafkaStack;
  readonly cassandra: CassandraStack;
}

export interface ChatBattleStacks {
  /** Undefined on the cluster target, which deploys no Docker stack. */
  readonly local?: LocalStacks;
  readonly topics: TopicsStack;
  readonly schema: SchemaStack;
}

/**
 * Builds the target's stacks into `app`, each with its state where
 * STATE_BACKEND says.
 * - local: volumes → network → {kafka → topics, cassandra → schema}, the two
 *   branches independent of each other.
 * - cluster: topics and schema only, pointed at the existing clusters; the
 *   applier's connection settings come from `env` (credentials stay there).
 */
export function buildStacks(
  app: App,
  config: ChatBattleConfig,
  projectRoot: string,
  env: Env = process.env,
  guard: DataGuard = "terraform",
): ChatBattleStacks {
  const preventDestroy = guard === "terraform";
  const topicSpecs = declaredTopics(config.topicDurability, topicDefinitions(config));
  const cqlFiles = readCqlFiles(join(projectRoot, "cql"));
  let stacks: ChatBattleStacks;
  if (config.target === "cluster") {
    const kafka = config.kafkaCluster!;
    const topics = new TopicsStack(app, {
      kafka: {
        bootstrapServers: kafka.bootstrapServers,
        tls: usesTls(kafka.securityProtocol),
        saslMechanism: kafka.saslMechanism,
      },
      topics: topicSpecs,
      preventDestroy,
    });
    const applier = applierEnvironment(cassandraConnection(config, env), config.cassandra);
    const schema = new SchemaStack(app, { cqlFiles, applierSettings: applier });
    stacks = { topics, schema };
  } else {
    stacks = buildLocalStacks(app, config, topicSpecs, cqlFiles, preventDestroy);
  }
  for (const stack of [...Object.values(stacks.local ?? {}), stacks.topics, stacks.schema]) {
    useStateBackend(stack, stack.node.id, config.stateBackend);
  }
  return stacks;
}

function buildLocalStacks(
  app: App,
  config: ChatBattleConfig,
  topicSpecs: readonly TopicSpec[],
  cqlFiles: readonly CqlFile[],
  preventDestroy: boolean,
): ChatBattleStacks {
  const topology = localTopology(config);
  const volumes = new VolumesStack(app, { topology, preventDestroy });
  const network = new NetworkStack(app);

  const kafka = new KafkaStack(app, { topology, bindAddress: config.bindAddress });
  kafka.addDependency(volumes);
  kafka.addDependency(network);

  const cassandra = new CassandraStack(app, { topology, bindAddress: config.bindAddress });
  cassandra.addDependency(volumes);
  cassandra.addDependency(network);

  const topics = new TopicsStack(app, {
    kafka: { bootstrapServers: topology.kafkaBrokers, tls: false },
    topics: topicSpecs,
    preventDestroy,
  });
  topics.addDependency(kafka);

  const node = cassandra.cassandraNode;
  const schema = new SchemaStack(app, {
    cqlFiles,
    cassandraContainerId: node.container.id,
    applierSettings: {
      CASSANDRA_CONTACT_POINTS: topology.cassandra.contactPoint,
      CASSANDRA_LOCAL_DATACENTER: topology.cassandra.datacenter,
      CASSANDRA_KEYSPACE: config.cassandra.keyspace,
      ...replicationSettings(config.cassandra.replication),
      // The node's creation does not wait for it to be healthy; the applier waits as long as Docker would.
      SCHEMA_WAIT_SECONDS: String(node.readyWithinSeconds),
    },
  });
  schema.addDependency(cassandra);

  return { local: { volumes, network, kafka, cassandra }, topics, schema };
}

/**
 * Synthesizes the target's stacks into `outdir` (cdktf's own default,
 * cdktf.out or CDKTF_OUTDIR, when not given): what `cdktf synth` runs, in
 * this process, with Terraform guarding the data; the app's commands, which
 * review every plan themselves, ask for `guard: "review"`.
 */
export function synthesizeApp(
  config: ChatBattleConfig,
  projectRoot: string,
  outdir?: string,
  env: Env = process.env,
  guard: DataGuard = "terraform",
): void {
  const app = new App(outdir ? { outdir } : {});
  buildStacks(app, config, projectRoot, env, guard);
  app.synth();
}
