/**
 * Kafka and Cassandra are saved and restored side by side. When one side
 * fails, the other stops at its next check (the `stop` it is given), and the
 * caller hears of the failure once both have ended: nothing is still writing
 * when it says what happened, or removes a folder the other side writes to.
 */
export async function sideBySide<A, B>(
  first: (stop: () => void) => Promise<A>,
  second: (stop: () => void) => Promise<B>,
): Promise<[A, B]> {
  const failed = new AbortController();
  const stop = () => {
    if (failed.signal.aborted) throw failed.signal.reason;
  };
  const side = <T>(task: Promise<T>) =>
    task.catch((error: unknown) => {
      failed.abort(error);
      throw error;
    });
  const [a, b] = await Promise.allSettled([side(first(stop)), side(second(stop))]);
  // The first failure, as it happened (the other side's is the stop it caused).
  if (a.status === "rejected" || b.status === "rejected") throw failed.signal.reason;
  return [a.value, b.value];
}
