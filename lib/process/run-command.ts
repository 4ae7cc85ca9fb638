import { CommandError } from "../errors";

/**
 * The one way every command ends. `main` returns the exit code of a command
 * that ran (0: all good; 1: it found something wrong, and said what). A
 * CommandError (bad settings, Docker unreachable, the stack not deployed, a
 * service not answering, another command running, …) is printed as the one
 * line it is, prefixed with the command, and ends with its code (1, or 2 for
 * bad settings and usage). Anything else is a bug: it is reported with its
 * stack, and the command exits 1.
 *
 * Then the process ends, once its output is written, even if a library keeps
 * a handle open: the Cassandra driver, for one, leaves its control
 * connection's socket open when connect() fails on an unknown local
 * datacenter, and the command would otherwise never return.
 */
export async function runCommand(command: string, main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof CommandError) {
      console.error(error.message.startsWith(`${command}:`) ? error.message : `${command}: ${error.message}`);
      process.exitCode = error.exitCode;
    } else {
      console.error(`${command}: unexpected error, please report it:`, error);
      process.exitCode = 1;
    }
  }
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))),
  );
  process.exit();
}
