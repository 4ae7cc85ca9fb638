/**
 * What a destructive change would lose, in numbers, and the message that
 * refuses it or, with --allow-data-loss, says what is about to go.
 */
import type { KafkaAdmin } from "../adapters/kafka/kafka-admin";
import type { DestructiveChange } from "../adapters/terraform/plan-changes";
import { docker } from "../adapters/docker/docker-cli";

/** A destructive change with what it holds now. */
export interface LossEstimate {
  readonly change: DestructiveChange;
  /** "3 partitions, 20000 messages" or "184.2MB"; "unknown (…)" when it could not be read. */
  readonly holds: string;
}

/** Messages in a topic without reading them: end offset minus start offset, summed over the partitions. */
export async function topicContents(admin: KafkaAdmin, topic: string): Promise<{ partitions: number; messages: number }> {
  const offsets = await admin.topicOffsets(topic);
  return {
    partitions: offsets.length,
    messages: offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0),
  };
}

/** Sizes of the Docker volumes, by name, as `docker system df -v` reports them. */
export function volumeSizes(): Map<string, string> {
  const volumes = JSON.parse(docker(["system", "df", "-v", "--format", "{{json .Volumes}}"]) || "[]") as { Name: string; Size: string }[];
  return new Map(volumes.map((v) => [v.Name, v.Size]));
}

/** Reads what each change would lose. `admin` is undefined when no topic is involved. */
export async function estimateLoss(changes: readonly DestructiveChange[], admin: (() => Promise<KafkaAdmin>) | undefined): Promise<LossEstimate[]> {
  const sizes = changes.some((c) => c.type === "docker_volume") ? volumeSizes() : new Map<string, string>();
  return Promise.all(
    changes.map(async (change) => {
      if (change.type === "docker_volume") return { change, holds: sizes.get(change.name) ?? "unknown size (not found)" };
      try {
        const { partitions, messages } = await topicContents(await admin!(), change.name);
        return { change, holds: `${partitions} partition(s), ${messages} message(s)` };
      } catch (error) {
        return { change, holds: `unknown (${(error as Error).message})` };
      }
    }),
  );
}

const WHAT = { kafka_topic: "topic", docker_volume: "volume" } as const;

/** One line per change: what, where, what happens to it and why, and what it holds. */
export function lossLines(estimates: readonly LossEstimate[]): string[] {
  return estimates.map(({ change, holds }) => {
    const fate = change.action === "replace" ? "deleted and created again, empty" : "deleted";
    const why = change.action === "replace" && /^partitions /.test(change.reason) ? `${change.reason}; Kafka cannot lower a topic's partitions` : change.reason;
    return `  ${WHAT[change.type]} ${change.name} (${change.stack} stack): would be ${fate}, because ${why}. It holds ${holds}.`;
  });
}

/** The refusal: what would be lost, why, and the two ways forward. */
export function refusalMessage(estimates: readonly LossEstimate[]): string {
  return [
    "deploy: refused: this deploy would lose data, so it applied nothing of it:",
    ...lossLines(estimates),
    "Ways forward:",
    "  - undo the change (the setting, such as KAFKA_TOPIC_PARTITIONS, or the code, such as lib/topics.ts) and deploy again; or",
    "  - lose exactly this, deliberately: npm run deploy -- --allow-data-loss",
    "(npm run reset deletes all data and state.)",
  ].join("\n");
}

/** Said before going ahead with --allow-data-loss. */
export function allowedMessage(estimates: readonly LossEstimate[]): string {
  return ["deploy: --allow-data-loss: going ahead; this is lost now:", ...lossLines(estimates)].join("\n");
}
