import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../test-support/synth";
import { runNpmScript } from "../../test-support/project";

// A Docker engine that is not running: nothing serves this socket.
const NO_DOCKER = { DOCKER_HOST: "unix:///nonexistent/docker.sock" };

describe("commands when Docker is not running", () => {
  it.each([
    ["health", []],
    ["topics", []],
    ["logs", ["--no-follow"]],
    ["reset", ["--yes"]],
  ])("npm run %s says so in one line and exits 1", (command, args) => {
    const result = runNpmScript(PROJECT_ROOT, command, NO_DOCKER, args as string[]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      new RegExp(
        `^${command}: Docker is not reachable \\(Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock\\..*\\); start Docker or set DOCKER_HOST, then run the command again\\.\\n$`,
      ),
    );
  });
});
