/**
 * Runs `run` with a deadline `ms` away, on one timer that holds the process until `run` is done:
 * during an outage nothing else may, and a process that ended before `close()` had would skip the
 * shutdown hooks after it. The timer is cleared as soon as `run` settles.
 */
export async function withDeadline<T>(ms: number, run: (deadline: Promise<void>) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>(resolve => (timer = setTimeout(resolve, ms)));
  try {
    return await run(deadline);
  } finally {
    clearTimeout(timer);
  }
}
