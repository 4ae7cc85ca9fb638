import { spawn } from "node:child_process";

/**
 * Runs a command to its end in a process group of its own and resolves the
 * seconds it took. It fails, with its last output lines, when it exits non-zero
 * or passes `deadlineSeconds` (then the whole group is stopped): a benchmark
 * must never hang, nor time a failure as if it were a result.
 */
export function timed(
  command: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; deadlineSeconds: number },
): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd: options.cwd, env: { ...options.env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d) => (output = (output + d).slice(-20_000)));
    child.stderr!.on("data", (d) => (output = (output + d).slice(-20_000)));
    const last = () => output.trimEnd().split("\n").slice(-25).join("\n");
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // gone already
      }
    }, options.deadlineSeconds * 1000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      if (code === 0) resolve(seconds);
      else reject(new Error(`\`${command.join(" ")}\` ${signal ? `was stopped after ${options.deadlineSeconds} s` : `exited ${code}`}; its last output:\n${last()}`));
    });
  });
}
