import { describe, expect, it } from "vitest";
import { composeOverride, initSchemaCql, summarize } from "../../bench/baseline";
import { synthesizedContainers } from "../../bench/synthesized";

describe("what the benchmark gives both sides", () => {
  it("gives Compose the app's images and healthchecks, with $ doubled so Compose does not fill it in", () => {
    const containers = synthesizedContainers({});
    const override = JSON.parse(composeOverride(containers));
    for (const service of ["zookeeper", "kafka", "cassandra"] as const) {
      expect(override.services[service].image).toBe(containers[service].image);
      expect(override.services[service].healthcheck.interval).toBe(containers[service].healthcheck.interval);
      expect(override.services[service].healthcheck.test[1]).toBe(
        containers[service].healthcheck.test[1].split("$").join("$$"),
      );
    }
    expect(override.services.kafka.healthcheck.test[1]).toContain("$$(cut -d' ' -f22 /proc/1/stat)");
    expect(override.services["kafka-init"].image).toBe(containers.kafka.image);
    expect(override.services["cassandra-init"].image).toBe(containers.cassandra.image);
  });

  it("renders cql/ for cqlsh -f with the default settings, placeholders filled", () => {
    const cql = initSchemaCql();
    expect(cql).toContain(
      "CREATE KEYSPACE IF NOT EXISTS twitch_chat\nWITH REPLICATION = {'class': 'SimpleStrategy', 'replication_factor': 1};",
    );
    expect(cql).toContain("CREATE TABLE IF NOT EXISTS twitch_chat.raw_chat_messages (");
    expect(cql).not.toContain("{{");
  });

  it("sums up samples as median, min and max", () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(summarize([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4 });
  });
});
