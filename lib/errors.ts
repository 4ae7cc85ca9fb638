/**
 * An error a command expects and explains in its own words: printed as it
 * is, without a stack trace, and ended with its exit code (1: something is
 * wrong or unreachable; 2: bad settings or usage). Every command's error
 * class extends it, so the one runner (lib/process/run-command.ts) knows them all.
 */
export class CommandError extends Error {
  constructor(
    message: string,
    public readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** The command line was wrong: the message says how to call the command. */
export class UsageError extends CommandError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, 2);
  }
}

/** A service of the stack (Kafka, Cassandra) did not answer. */
export class ServiceUnreachableError extends CommandError {
  override name = "ServiceUnreachableError";
}
