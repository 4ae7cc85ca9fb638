/**
 * The stack runner on its own, against a fake Terraform
 * (test-support/fake-terraform) that records every call and plays back exit
 * codes and output: ordering, failures, init, the no-op path, the data-loss
 * guard, interrupts and a lock held elsewhere, in seconds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StackRunner, type DeployHooks, type ReviewMoment } from "../../../lib/adapters/terraform/stack-runner";
import type { RunEvent } from "../../../lib/adapters/terraform/run-events";
import type { PlannedChange } from "../../../lib/gate/planned-change";
import { Interrupts } from "../../../lib/process/interrupts";
import { PROJECT_ROOT } from "../../../test-support/synth";

const FAKE = join(PROJECT_ROOT, "test-support/fake-terraform/terraform.mjs");
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

interface FakeStack {
  readonly name: string;
  readonly dependencies?: string[];
  /** Resources in its state file, as "type.name"; no state file when undefined. */
  readonly state?: string[];
  /** It reads another stack's outputs (terraform_remote_state), as the schema stack reads Cassandra's container id. */
  readonly readsOthers?: boolean;
  /** The resources its cdk.tf.json declares, by type and id (none when undefined). */
  readonly resources?: Record<string, Record<string, { name: string }>>;
}

/** The local target's shape with what each stack declares: objects found by name, images, and the schema step's command. */
const DECLARING: FakeStack[] = [
  { name: "volumes", resources: { docker_volume: { data: { name: "chatbattle-kafka-data" } } } },
  { name: "network", dependencies: ["volumes"], resources: { docker_network: { network: { name: "chatbattle" } } } },
  {
    name: "kafka",
    dependencies: ["volumes", "network"],
    resources: {
      docker_image: { kafka: { name: "kafka:1" } },
      docker_container: { kafka: { name: "chatbattle-kafka" } },
    },
  },
  { name: "topics", dependencies: ["kafka"], resources: { kafka_topic: { messages: { name: "messages" } } } },
  { name: "schema", dependencies: ["kafka"], resources: { terraform_data: { "apply-cql": { name: "x" } } } },
];

/** What each stack of LOCAL declares: a kind of resource the runner knows nothing of, so every plan is reviewed. */
const THING = (stack: string) => ({ docker_thing: { [stack]: { name: stack } } });

/** The local target's shape: volumes → network → {kafka → topics, cassandra → schema}. */
const LOCAL: FakeStack[] = [
  { name: "volumes", resources: THING("volumes") },
  { name: "network", dependencies: ["volumes"], resources: THING("network") },
  { name: "kafka", dependencies: ["volumes", "network"], resources: THING("kafka") },
  { name: "cassandra", dependencies: ["volumes", "network"], resources: THING("cassandra") },
  { name: "topics", dependencies: ["kafka"], resources: THING("topics") },
  { name: "schema", dependencies: ["cassandra"], resources: THING("schema") },
];

type Script = Record<string, { exit?: number; stdout?: string; sleepMs?: number }>;

/** A saved plan as `terraform show -json` prints it: the stack's one object created. */
const createPlan = (stack: string) =>
  JSON.stringify({
    resource_changes: [
      {
        address: `docker_thing.${stack}`,
        mode: "managed",
        type: "docker_thing",
        change: { actions: ["create"], before: null, after: { name: stack } },
      },
    ],
  });

/**
 * By default every stack's plan has something to create (exit 2), as on a
 * first deploy; a test scripts what differs.
 */
const creating = (stacks: FakeStack[]): Script =>
  Object.fromEntries(
    stacks.flatMap((s) => [
      [`${s.name} plan`, { exit: 2 }],
      [`${s.name} show`, { stdout: createPlan(s.name) }],
    ]),
  );

/** Every stack's plan empty: nothing to do. */
const unchanged = (stacks: FakeStack[]): Script =>
  Object.fromEntries(stacks.map((s) => [`${s.name} plan`, { exit: 0 }]));

/** A synthesized app of `stacks` and a fake Terraform scripted by `script` (over {@link creating}). */
function fixture(stacks: FakeStack[], script: Script = {}) {
  const root = mkdtempSync(join(tmpdir(), "chatbattle-runner-"));
  roots.push(root);
  const outdir = join(root, "cdktf.out");
  mkdirSync(join(root, "state"));
  const manifest: Record<string, object> = {};
  for (const stack of stacks) {
    const dir = join(outdir, "stacks", stack.name);
    mkdirSync(dir, { recursive: true });
    const remote = stack.readsOthers ? { data: { terraform_remote_state: { upstream: { backend: "local" } } } } : {};
    writeFileSync(
      join(dir, "cdk.tf.json"),
      JSON.stringify({
        terraform: { backend: { local: { path: `../../../state/${stack.name}.tfstate` } } },
        ...remote,
        ...(stack.resources ? { resource: stack.resources } : {}),
      }),
    );
    manifest[stack.name] = {
      name: stack.name,
      workingDirectory: `stacks/${stack.name}`,
      synthesizedStackPath: `stacks/${stack.name}/cdk.tf.json`,
      dependencies: stack.dependencies ?? [],
    };
    if (stack.state) {
      const resources = stack.state.map((address) => ({
        mode: "managed",
        type: address.split(".")[0],
        name: address.split(".")[1],
        instances: [],
      }));
      writeFileSync(join(root, "state", `${stack.name}.tfstate`), JSON.stringify({ version: 4, resources }));
    }
  }
  writeFileSync(join(outdir, "manifest.json"), JSON.stringify({ stacks: manifest }));
  writeFileSync(join(root, "script.json"), JSON.stringify({ ...creating(stacks), ...script }));
  const logFile = join(root, "calls.log");
  writeFileSync(logFile, "");
  const env = {
    ...process.env,
    TERRAFORM_BINARY_NAME: FAKE,
    FAKE_TF_LOG: logFile,
    FAKE_TF_SCRIPT: join(root, "script.json"),
  };
  type Call = { stack: string; args?: string[]; signal?: string; done?: string; at: number };
  const calls = (): Call[] =>
    readFileSync(logFile, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  /** What the runners made here reported, in order. */
  const events: RunEvent[] = [];
  return {
    root,
    outdir,
    env,
    calls,
    events,
    runner: (interrupts?: Interrupts, deadlineSeconds = 30) =>
      new StackRunner(outdir, { env, deadlineSeconds, interrupts, report: (event) => events.push(event) }),
  };
}

/** Hooks whose review refuses any topic deleted or replaced (as the gate would) unless `allowDataLoss`; it keeps what it was shown. */
const hooks = (
  allowDataLoss = false,
): DeployHooks & { reviewed: { changes: readonly PlannedChange[]; moment: ReviewMoment }[] } => ({
  reviewed: [],
  ready: async () => true,
  existing: async () => undefined,
  async review(changes, moment) {
    this.reviewed.push({ changes, moment });
    const loses = changes.some((c) => c.kind === "topic" && (c.action === "replace" || c.action === "delete"));
    return { apply: allowDataLoss || !loses, env: { CONSENT: allowDataLoss ? "yes" : "" } };
  },
});

const commands = (calls: ReturnType<ReturnType<typeof fixture>["calls"]>, command: string) =>
  calls.filter((c) => c.args?.[0] === command).map((c) => c.stack);

describe("StackRunner, against a fake Terraform", () => {
  it("applies every stack after the stacks it depends on, the two branches side by side", async () => {
    const f = fixture(LOCAL, { "kafka apply": { sleepMs: 400 }, "cassandra apply": { sleepMs: 400 } });
    const result = await f.runner().deploy(hooks());
    expect(result.failed).toEqual([]);
    const calls = f.calls();
    const at = (stack: string, what: "start" | "done") =>
      calls.find((c) => c.stack === stack && (what === "start" ? c.args?.[0] === "apply" : c.done === "apply"))!.at;
    expect(commands(calls, "apply").sort()).toEqual(LOCAL.map((s) => s.name).sort());
    expect(at("network", "start")).toBeGreaterThanOrEqual(at("volumes", "done"));
    expect(at("topics", "start")).toBeGreaterThanOrEqual(at("kafka", "done"));
    expect(at("schema", "start")).toBeGreaterThanOrEqual(at("cassandra", "done"));
    // Parallel branches: Cassandra's apply starts before Kafka's ends.
    expect(at("cassandra", "start")).toBeLessThan(at("kafka", "done"));
  });

  it("skips what depends on a failed stack, and nothing else", async () => {
    const f = fixture(LOCAL, { "kafka apply": { exit: 1, stdout: "Error: boom\n" } });
    const result = await f.runner().deploy(hooks());
    expect([...result.failed].sort()).toEqual(["kafka", "topics"]);
    expect(commands(f.calls(), "apply").sort()).toEqual(["cassandra", "kafka", "network", "schema", "volumes"]);
  });

  it("initializes a stack only when it never was, or its providers or backend changed", async () => {
    const f = fixture(LOCAL);
    await f.runner().deploy(hooks());
    expect(commands(f.calls(), "init")).toHaveLength(6);
    await f.runner().deploy(hooks());
    expect(commands(f.calls(), "init")).toHaveLength(6);
    const schema = join(f.outdir, "stacks", "schema", "cdk.tf.json");
    writeFileSync(schema, JSON.stringify({ terraform: { backend: { pg: { schema_name: "x" } } } }));
    await f.runner().deploy(hooks());
    expect(commands(f.calls(), "init").slice(6)).toEqual(["schema"]);
  });

  it("plans again, before its apply, a stack that reads the outputs of a stack this run changed (planned up front, its plan is out of date)", async () => {
    const stacks = LOCAL.map((s) => (s.name === "schema" ? { ...s, readsOthers: true } : s));
    // Only Cassandra's container changes; the schema step saw its old id when it was planned first.
    const script = {
      ...unchanged(stacks),
      "cassandra plan": { exit: 2 },
      "cassandra show": { stdout: createPlan("cassandra") },
    };
    const f = fixture(stacks, script);
    const result = await f.runner().deploy(hooks());
    expect(result.failed).toEqual([]);
    expect(commands(f.calls(), "plan").filter((s) => s === "schema")).toHaveLength(2);
    expect(commands(f.calls(), "plan").filter((s) => s === "topics")).toHaveLength(1);
  });

  it("ends after the plans when every stack plans no change", async () => {
    const f = fixture(LOCAL, unchanged(LOCAL));
    const result = await f.runner().deploy(hooks());
    expect(result.failed).toEqual([]);
    expect(f.events).toEqual([{ kind: "nothing-to-do" }]);
    expect(commands(f.calls(), "plan")).toHaveLength(6);
    expect(commands(f.calls(), "apply")).toEqual([]);
  });

  describe("the data-loss gate", () => {
    it("applies as declared, with no plan and nothing to review, only a stack that records nothing and of which nothing exists", async () => {
      const f = fixture(DECLARING);
      const h = hooks();
      const result = await f.runner().deploy(h);
      expect(result.failed).toEqual([]);
      const calls = f.calls();
      // The schema step runs a command: planned and reviewed like any stack with a state.
      expect(commands(calls, "plan")).toEqual(["schema"]);
      expect(h.reviewed.flatMap((r) => r.changes.map((c) => c.stack))).toEqual(["schema"]);
      for (const stack of ["volumes", "network", "kafka", "topics"]) {
        const apply = calls.find((c) => c.stack === stack && c.args?.[0] === "apply")!;
        expect(apply.args).toContain("-auto-approve");
        expect(apply.args).not.toContain("chatbattle.tfplan");
      }
      expect(calls.find((c) => c.stack === "schema" && c.args?.[0] === "apply")!.args).not.toContain("-auto-approve");
    });

    it("plans and reviews a stack whose state records anything, or of which anything declared exists", async () => {
      const stacks = DECLARING.map((s) => (s.name === "network" ? { ...s, state: ["docker_network.network"] } : s));
      const f = fixture(stacks);
      const h = hooks();
      await f.runner().deploy({
        ...h,
        existing: async (type, name) =>
          type === "docker_volume" && name === "chatbattle-kafka-data" ? name : undefined,
      });
      // The volume exists (its state was lost): adopted through a reviewed plan, as is the network with a state.
      expect(commands(f.calls(), "plan").sort()).toEqual(["network", "schema", "volumes"]);
      expect(f.events).toContainEqual({ kind: "adopting", stack: "volumes", names: ["chatbattle-kafka-data"] });
      for (const stack of ["network", "volumes"]) {
        expect(h.reviewed.flatMap((r) => r.changes.map((c) => c.stack))).toContain(stack);
        expect(f.calls().find((c) => c.stack === stack && c.args?.[0] === "apply")!.args).not.toContain(
          "-auto-approve",
        );
      }
    });

    it("applies nothing, not even what only creates, when the review refuses a plan", async () => {
      const stacks = DECLARING.map((s) => (s.name === "topics" ? { ...s, state: ["kafka_topic.messages"] } : s));
      const f = fixture(stacks, {
        "topics plan": { exit: 2 },
        "topics show": {
          stdout: JSON.stringify({
            resource_changes: [
              {
                address: "kafka_topic.messages",
                mode: "managed",
                type: "kafka_topic",
                change: { actions: ["delete", "create"], before: { name: "messages" }, after: { name: "messages" } },
              },
            ],
          }),
        },
      });
      const result = await f.runner().deploy(hooks());
      expect(result.refusedBeforeApplying).toBe(true);
      expect(commands(f.calls(), "apply")).toEqual([]);
    });

    const replaced = JSON.stringify({
      resource_changes: [
        {
          address: "kafka_topic.t",
          mode: "managed",
          type: "kafka_topic",
          change: {
            actions: ["delete", "create"],
            before: { name: "channel-stats", partitions: 3 },
            after: { name: "channel-stats", partitions: 2 },
            replace_paths: [["partitions"]],
          },
        },
      ],
    });
    const script = { "topics plan": { exit: 2 }, "topics show": { stdout: replaced } };

    it("reviews every stack's plan at once before anything is applied, and applies nothing when refused", async () => {
      const f = fixture(LOCAL, script);
      const h = hooks(false);
      const result = await f.runner().deploy(h);
      expect(h.reviewed).toHaveLength(1);
      expect(h.reviewed[0].moment).toBe("before-anything");
      expect(new Set(h.reviewed[0].changes.map((c) => c.stack))).toEqual(new Set(LOCAL.map((s) => s.name)));
      expect(h.reviewed[0].changes.find((c) => c.stack === "topics")).toMatchObject({
        kind: "topic",
        name: "channel-stats",
        action: "replace",
        forcedBy: ["partitions"],
      });
      expect(result.refused).toEqual(LOCAL.map((s) => s.name));
      expect(result.refusedBeforeApplying).toBe(true);
      expect(commands(f.calls(), "apply")).toEqual([]);
    });

    it("plans and reviews every stack whatever its state holds: none, empty, or kept in PostgreSQL", async () => {
      for (const variant of ["none", "empty", "pg"] as const) {
        const f = fixture(LOCAL, script);
        if (variant === "empty") writeFileSync(join(f.root, "state", "topics.tfstate"), "");
        if (variant === "pg") {
          for (const s of LOCAL)
            writeFileSync(
              join(f.outdir, "stacks", s.name, "cdk.tf.json"),
              JSON.stringify({
                terraform: { backend: { pg: { schema_name: `chatbattle_${s.name}` } } },
                resource: THING(s.name),
              }),
            );
        }
        const h = hooks(false);
        const result = await f.runner().deploy(h);
        expect(commands(f.calls(), "plan").sort(), variant).toEqual(LOCAL.map((s) => s.name).sort());
        expect(result.refusedBeforeApplying, variant).toBe(true);
        expect(commands(f.calls(), "apply"), variant).toEqual([]);
      }
    });

    it("with the user's consent, applies exactly the plans it showed, with the environment the review asked for, never with -auto-approve", async () => {
      const f = fixture(LOCAL, script);
      const result = await f.runner().deploy(hooks(true));
      expect(result.refused).toEqual([]);
      const applies = f.calls().filter((c) => c.args?.[0] === "apply");
      expect(applies.map((c) => c.stack).sort()).toEqual(LOCAL.map((s) => s.name).sort());
      for (const apply of applies) {
        expect(apply.args).toContain("chatbattle.tfplan");
        expect(apply.args).not.toContain("-auto-approve");
      }
      expect(existsSync(join(f.outdir, "stacks", "topics", "chatbattle.tfplan"))).toBe(false);
    });

    it("plans and reviews a stack just before its apply when its service was not up at first", async () => {
      const f = fixture(LOCAL, script);
      let up = false;
      const h = {
        ...hooks(false),
        ready: async (stack: string, wait: boolean) => stack !== "topics" || up || ((up = wait), wait),
      };
      const result = await f.runner().deploy(h);
      expect(h.reviewed.map((r) => r.moment)).toEqual(["before-anything", "when-its-service-came-up"]);
      expect(h.reviewed[1].changes.map((c) => c.stack)).toEqual(["topics"]);
      expect(result.refused).toEqual(["topics"]);
      expect(result.refusedBeforeApplying).toBe(false);
      expect(commands(f.calls(), "apply").sort()).toEqual(["cassandra", "kafka", "network", "schema", "volumes"]);
      expect(result.failed).toContain("topics");
    });

    it("plan() plans every stack, a stack whose service is down against its recorded state, and applies nothing", async () => {
      const f = fixture(LOCAL, script);
      const results = await f
        .runner()
        .plan({ ready: async (stack) => stack !== "topics", existing: async () => undefined });
      expect(results.map((r) => [r.stack, r.how])).toEqual(
        LOCAL.map((s) => [s.name, s.name === "topics" ? "recorded" : "fresh"]),
      );
      const topicsPlan = f.calls().find((c) => c.stack === "topics" && c.args?.[0] === "plan")!;
      expect(topicsPlan.args).toContain("-refresh=false");
      expect(results.find((r) => r.stack === "topics")!.changes).toMatchObject([
        { name: "channel-stats", action: "replace" },
      ]);
      expect(commands(f.calls(), "apply")).toEqual([]);
    });
  });

  it("passes one SIGINT to a running Terraform on SIGTERM, waits for it, and starts nothing more", async () => {
    const f = fixture(LOCAL, { "kafka apply": { sleepMs: 5000 } });
    const interrupts = new Interrupts("test");
    const running = f.runner(interrupts).deploy(hooks());
    const deadline = Date.now() + 10_000;
    while (!f.calls().some((c) => c.stack === "kafka" && c.args?.[0] === "apply")) {
      if (Date.now() > deadline) throw new Error("kafka's apply never started");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    interrupts.receive("SIGTERM");
    interrupts.receive("SIGTERM"); // npm and tsx pass the same signal on: still one interrupt
    const result = await running;
    expect(interrupts.exitCode).toBe(143);
    expect(f.calls().filter((c) => c.stack === "kafka" && c.signal === "SIGINT")).toHaveLength(1);
    expect(commands(f.calls(), "apply")).not.toContain("topics");
    expect(result.failed).toContain("topics");
  });

  it("stops a Terraform command at its deadline, saying which stack and which step", async () => {
    const f = fixture(LOCAL, { "kafka apply": { sleepMs: 20_000 } });
    const result = await f.runner(undefined, 1).deploy(hooks());
    expect(result.failed).toEqual(["kafka", "topics"]);
    expect(f.events).toContainEqual({ kind: "timed-out", stack: "kafka", command: "apply", deadlineSeconds: 1 });
    expect(f.events).toContainEqual({
      kind: "skipped",
      stack: "topics",
      action: "apply",
      why: "a stack it waits for failed",
    });
    // It was asked to stop (SIGINT), as Ctrl-C would, not killed.
    expect(f.calls().filter((c) => c.stack === "kafka" && c.signal === "SIGINT")).toHaveLength(1);
  });

  it("names the run that holds a stack's state lock", async () => {
    const lockError = [
      "Error: Error acquiring the state lock",
      "Lock Info:",
      "  ID:        1",
      "  Who:       someone@elsewhere",
      "  Operation: OperationTypeApply",
      "  Created:   2026-11-30 10:00:00",
    ].join("\n");
    const f = fixture(LOCAL, { "schema apply": { exit: 1, stdout: `${lockError}\n` } });
    const runner = f.runner();
    const result = await runner.deploy(hooks());
    expect(result.failed).toEqual(["schema"]);
    expect(runner.locked).toEqual(["schema"]);
    expect(f.events.filter((e) => e.kind === "locked")).toEqual([
      {
        kind: "locked",
        stack: "schema",
        who: "someone@elsewhere",
        operation: "OperationTypeApply",
        since: "2026-11-30 10:00:00",
        waitedSeconds: 60,
      },
    ]);
  });

  it("names a lock met by the gate's plan once, waits for it once, and applies nothing of that stack", async () => {
    const lockError = [
      "Error: Error acquiring the state lock",
      "  Who:       someone@elsewhere",
      "  Operation: OperationTypePlan",
      "  Created:   2026-11-30 10:00:00",
    ].join("\n");
    const f = fixture(LOCAL, { "topics plan": { exit: 1, stdout: `${lockError}\n` } });
    const runner = f.runner();
    const result = await runner.deploy(hooks());
    expect(result.failed).toEqual(["topics"]);
    expect(runner.locked).toEqual(["topics"]);
    expect(commands(f.calls(), "plan").filter((s) => s === "topics")).toHaveLength(1);
    expect(commands(f.calls(), "apply")).not.toContain("topics");
  });

  it("stops a damaged state file before anything runs, naming the file and the way back", async () => {
    const f = fixture(LOCAL);
    writeFileSync(join(f.root, "state", "topics.tfstate"), '{"version": 4, "resour');
    writeFileSync(join(f.root, "state", "topics.tfstate.backup"), '{"version": 4, "resources": []}');
    await expect(f.runner().deploy(hooks())).rejects.toThrow(
      /topics stack's state .*state\/topics\.tfstate is damaged .*nothing was changed.*cp .*topics\.tfstate\.backup .*topics\.tfstate.*mv /,
    );
    expect(f.calls()).toEqual([]);
  });

  it("takes an empty state file for no state, as Terraform does (a run killed between its lock and its first write)", async () => {
    const f = fixture(LOCAL);
    writeFileSync(join(f.root, "state", "topics.tfstate"), "");
    const result = await f.runner().deploy(hooks());
    expect(result.failed).toEqual([]);
    expect(commands(f.calls(), "apply")).toContain("topics");
  });

  it("starts a stack's dependants once the hooks see it usable, before its apply returns", async () => {
    const f = fixture(LOCAL, { "network apply": { sleepMs: 1500 } });
    const result = await f.runner().deploy({ ...hooks(), usableEarly: async (stack) => stack === "network" });
    expect(result.failed).toEqual([]);
    expect(f.events).toContainEqual({ kind: "usable-early", stack: "network" });
    const calls = f.calls();
    const networkDone = calls.find((c) => c.stack === "network" && c.done === "apply")!.at;
    for (const stack of ["kafka", "cassandra"]) {
      expect(calls.find((c) => c.stack === stack && c.args?.[0] === "apply")!.at).toBeLessThan(networkDone);
    }
  });

  it("plans without a refresh only the stacks the hooks say are live as recorded, and keeps that plan only when it changes nothing", async () => {
    const unchangedNetwork = fixture(LOCAL, { "network plan": { exit: 0 } });
    await unchangedNetwork.runner().deploy({ ...hooks(), recordedAsLive: async (stack) => stack === "network" });
    const plans = unchangedNetwork.calls().filter((c) => c.args?.[0] === "plan");
    expect(plans.filter((c) => c.stack === "network").map((c) => c.args!.includes("-refresh=false"))).toEqual([true]);
    for (const plan of plans.filter((c) => c.stack !== "network")) expect(plan.args).not.toContain("-refresh=false");

    // A change by the record alone (what a creation cut short leaves) is planned again, refreshed, and that plan applied.
    const changedNetwork = fixture(LOCAL);
    const result = await changedNetwork
      .runner()
      .deploy({ ...hooks(), recordedAsLive: async (stack) => stack === "network" });
    expect(result.failed).toEqual([]);
    const networkPlans = changedNetwork.calls().filter((c) => c.stack === "network" && c.args?.[0] === "plan");
    expect(networkPlans.map((c) => c.args!.includes("-refresh=false"))).toEqual([true, false]);
    expect(commands(changedNetwork.calls(), "apply")).toContain("network");
  });

  it("waits for the apply when the hooks do not see the stack usable", async () => {
    const f = fixture(LOCAL, { "network apply": { sleepMs: 500 } });
    await f.runner().deploy({ ...hooks(), usableEarly: async () => false });
    const calls = f.calls();
    const networkDone = calls.find((c) => c.stack === "network" && c.done === "apply")!.at;
    expect(calls.find((c) => c.stack === "kafka" && c.args?.[0] === "apply")!.at).toBeGreaterThanOrEqual(networkDone);
  });

  it("stops an apply whose service breaks meanwhile (Terraform gets SIGINT and saves its state) and says why", async () => {
    const f = fixture(LOCAL, { "schema apply": { sleepMs: 20_000 } });
    const result = await f.runner().deploy({
      ...hooks(),
      // Broken half a second after the schema's Terraform started: it is running by then.
      trouble: async (stack) => {
        const applying = f.calls().find((c) => c.stack === "schema" && c.args?.[0] === "apply");
        return stack === "schema" && applying && Date.now() - applying.at > 500
          ? "chatbattle-cassandra is restarting again and again (8 times)"
          : undefined;
      },
    });
    expect(result.failed).toEqual(["schema"]);
    expect(f.calls()).toContainEqual(expect.objectContaining({ stack: "schema", signal: "SIGINT" }));
    expect(f.events).toContainEqual({
      kind: "broke",
      stack: "schema",
      trouble: "chatbattle-cassandra is restarting again and again (8 times)",
    });
  });

  it("untaints a network whose creation was cut short when it exists as recorded, and leaves one that does not alone", async () => {
    for (const exists of [true, false]) {
      const f = fixture(LOCAL);
      const network = {
        mode: "managed",
        type: "docker_network",
        name: "network",
        instances: [{ status: "tainted", attributes: { id: "abc", name: "chatbattle-network" } }],
      };
      writeFileSync(join(f.root, "state", "network.tfstate"), JSON.stringify({ version: 4, resources: [network] }));
      const asked: string[] = [];
      await f.runner().deploy({
        ...hooks(),
        createdAsRecorded: async (type, name, id) => (asked.push(`${type} ${name} ${id}`), exists),
      });
      expect(asked).toEqual(["docker_network chatbattle-network abc"]);
      const untaint = f.calls().filter((c) => c.args?.[0] === "untaint");
      expect(untaint.map((c) => [c.stack, c.args!.at(-1)])).toEqual(
        exists ? [["network", "docker_network.network"]] : [],
      );
    }
  });
});
