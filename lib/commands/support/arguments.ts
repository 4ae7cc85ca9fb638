import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../../errors";

/**
 * A command's arguments, read with node's parseArgs, strictly (an unknown
 * option is an error). A bad one ends the command with exit 2, parseArgs'
 * own words and `usage`, before anything else happens.
 */
export function readArguments<T extends Omit<ParseArgsConfig, "args" | "strict">>(
  usage: string,
  config: T,
  args: readonly string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<T & { strict: true; args: string[] }>> {
  try {
    return parseArgs({ ...config, strict: true, args: [...args] });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
}
