import { spawn, spawnSync } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
// A zombie counts as ended: CI's shell started dockerd and reaps it only when it exits.
import { isRunning } from "../lib/process/project-lock";
import { waitUntil } from "./wait";

/**
 * Restarts the local Docker engine as a reboot or a Docker Desktop restart
 * would: SIGTERM to dockerd, wait for it to end, start it again with the same
 * command line, wait until it answers. Needs root and a dockerd on this
 * machine (as CI has); anything else is an error that says so, not a skip.
 */
export async function restartDockerEngine(): Promise<void> {
  const pid = Number(spawnSync("pgrep", ["-x", "dockerd"], { encoding: "utf8" }).stdout.trim().split("\n")[0]);
  if (!pid)
    throw new Error(
      "no dockerd runs on this machine: this test restarts the Docker engine and needs a local dockerd (and root)",
    );
  const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  process.kill(pid, "SIGTERM");
  await waitUntil(() => !isRunning(pid), "dockerd to stop", 60, 250);
  const log = openSync(join(tmpdir(), "chatbattle-dockerd-restarted.log"), "a");
  spawn(commandLine[0], commandLine.slice(1), { detached: true, stdio: ["ignore", log, log] }).unref();
  await waitUntil(
    () => spawnSync("docker", ["info"], { stdio: "ignore", timeout: 10_000 }).status === 0,
    "dockerd to answer again",
    60,
    250,
  );
}
