/**
 * Formats whole seconds the way Go's time.Duration.String() does ("10s",
 * "1m0s", "1h30m0s"). The Docker provider reads healthcheck durations back in
 * that form, so writing anything else ("60s") shows a diff on every plan.
 */
export function goDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new RangeError(`goDuration needs a whole, non-negative number of seconds, got ${seconds}`);
  }
  if (seconds === 0) return "0s";
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${rest}s`;
}
