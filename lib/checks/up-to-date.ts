/**
 * A deploy with nothing to do, told without Terraform. After every deploy
 * that ends with all stacks applied and healthy, a stamp records each
 * stack's synthesized configuration and state file (their hashes). The next
 * deploy, when both are unchanged, only compares what the states record
 * with what runs, and ends there when they agree:
 * - docker_network, docker_volume: it exists (the network with the recorded id);
 * - docker_image: the tag still names the recorded image;
 * - docker_container: the recorded container exists, runs, is healthy, runs
 *   the recorded image with the recorded memory limit and restart policy, and
 *   is on the recorded networks;
 * - kafka_topic: the broker has it with the recorded partitions, replication
 *   factor and topic-level configs (a config changed on the broker shows here);
 * - terraform_data: nothing outside Terraform; its triggers are part of the
 *   configuration and state compared above.
 * Any other difference, an unknown resource type, a state kept elsewhere
 * (STATE_BACKEND=pg) or no stamp, and the deploy plans every stack as usual.
 * Commands that run Terraform on the stacks remove the stamp first, so a run
 * cut short never leaves one behind.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SynthesizedStack } from "../adapters/terraform/synthesized-stacks";
import { recordedInstances } from "../adapters/terraform/state-file";
import type { ServiceRuntime } from "../runtime/service-runtime";
import { connectAdmin, type KafkaClientTarget } from "../adapters/kafka/kafka-admin";

/** The stamp, in the synthesis folder beside the stacks it describes. */
export const STAMP_FILE = "chatbattle-deployed.json";

type Stamp = Record<string, { config: string; state: string }>;

const hashOf = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Each stack's configuration and state as they are now; undefined when a stack keeps its state elsewhere. */
function currentStamp(stacks: readonly SynthesizedStack[]): Stamp | undefined {
  if (stacks.some((s) => !s.statePath || !existsSync(s.statePath))) return undefined;
  return Object.fromEntries(
    stacks.map((s) => [s.name, { config: hashOf(join(s.dir, "cdk.tf.json")), state: hashOf(s.statePath!) }]),
  );
}

/** Records the stacks as the deploy that just succeeded left them. */
export function writeDeployedStamp(outdir: string, stacks: readonly SynthesizedStack[]): void {
  const stamp = currentStamp(stacks);
  if (stamp) writeFileSync(join(outdir, STAMP_FILE), JSON.stringify(stamp, null, 2));
}

/** Forgets the last deploy: Terraform is about to change the stacks. */
export function removeDeployedStamp(outdir: string): void {
  rmSync(join(outdir, STAMP_FILE), { force: true });
}

const sameEntries = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => String(b[k]) === String(v));

/**
 * Whether the last deploy's stacks are unchanged and everything they record
 * runs as recorded; otherwise the first difference found, in words (none
 * when no deploy has finished since Terraform last ran).
 */
export async function upToDate(
  outdir: string,
  stacks: readonly SynthesizedStack[],
  kafka: () => KafkaClientTarget,
  runtime: ServiceRuntime,
): Promise<{ readonly upToDate: true } | { readonly upToDate: false; readonly why?: string }> {
  const stampPath = join(outdir, STAMP_FILE);
  if (!existsSync(stampPath)) return { upToDate: false };
  const now = currentStamp(stacks);
  if (!now) return { upToDate: false, why: "a stack has no local state file" };
  const stamp = JSON.parse(readFileSync(stampPath, "utf8")) as Stamp;
  const changed = stacks.find(
    (s) => stamp[s.name]?.config !== now[s.name].config || stamp[s.name]?.state !== now[s.name].state,
  );
  if (changed) return { upToDate: false, why: `the ${changed.name} stack changed since the last deploy` };

  const recorded = stacks.flatMap((s) => recordedInstances(s.statePath!));
  const ofType = (type: string) => recorded.filter((r) => r.type === type).map((r) => r.attributes);
  const unknown = recorded.find(
    (r) =>
      ![
        "docker_network",
        "docker_volume",
        "docker_image",
        "docker_container",
        "kafka_topic",
        "terraform_data",
      ].includes(r.type),
  );
  if (unknown) return { upToDate: false, why: `${unknown.type} is not checked without Terraform` };

  const [networks, volumes, images, containers] = await Promise.all([
    runtime.inspect(
      "network",
      ofType("docker_network").map((n) => String(n.id)),
    ),
    runtime.inspect(
      "volume",
      ofType("docker_volume").map((v) => String(v.name)),
    ),
    runtime.inspect(
      "image",
      ofType("docker_image").map((i) => String(i.name)),
    ),
    runtime.inspect(
      "container",
      ofType("docker_container").map((c) => String(c.id)),
    ),
  ]);
  for (const network of ofType("docker_network"))
    if (!networks.has(String(network.id)))
      return { upToDate: false, why: `network ${network.name} is gone or was recreated` };
  for (const volume of ofType("docker_volume"))
    if (!volumes.has(String(volume.name))) return { upToDate: false, why: `volume ${volume.name} is gone` };
  for (const image of ofType("docker_image")) {
    if (images.get(String(image.name))?.id !== image.image_id)
      return { upToDate: false, why: `image ${image.name} is not the one the stack runs` };
  }
  for (const container of ofType("docker_container")) {
    const live = containers.get(String(container.id));
    const name = String(container.name);
    if (!live) return { upToDate: false, why: `${name} is gone or was recreated` };
    if (!live.running) return { upToDate: false, why: `${name} is not running` };
    if (live.health !== "none" && live.health !== "healthy")
      return { upToDate: false, why: `${name} is ${live.health}` };
    if (live.image !== container.image) return { upToDate: false, why: `${name} runs another image` };
    if (live.memoryBytes !== Number(container.memory) * 1024 * 1024 || live.restartPolicy !== container.restart) {
      return { upToDate: false, why: `${name}'s memory limit or restart policy was changed` };
    }
    const onNetworks = [...(live.networks ?? [])].sort().join(",");
    const recordedNetworks = ((container.networks_advanced as { name: string }[] | undefined) ?? [])
      .map((n) => n.name)
      .sort()
      .join(",");
    if (onNetworks !== recordedNetworks) return { upToDate: false, why: `${name} is on other networks` };
  }

  const topics = ofType("kafka_topic");
  if (topics.length > 0) {
    let admin;
    try {
      admin = await connectAdmin(kafka());
    } catch {
      return { upToDate: false, why: "the broker did not answer" };
    }
    try {
      const live = new Map((await admin.describeTopics(topics.map((t) => String(t.name)))).map((t) => [t.name, t]));
      for (const topic of topics) {
        const found = live.get(String(topic.name));
        if (!found || found.partitions.length === 0) return { upToDate: false, why: `topic ${topic.name} is gone` };
        if (
          found.partitions.length !== Number(topic.partitions) ||
          found.partitions[0].replicas.length !== Number(topic.replication_factor)
        ) {
          return { upToDate: false, why: `topic ${topic.name}'s partitions or replication changed` };
        }
        if (!sameEntries((topic.config as Record<string, unknown>) ?? {}, found.overrides))
          return { upToDate: false, why: `topic ${topic.name}'s config changed on the broker` };
      }
    } catch (error) {
      return { upToDate: false, why: `the broker could not describe the topics (${(error as Error).message})` };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  return { upToDate: true };
}
