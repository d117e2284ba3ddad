/**
 * Runs `task(0) … task(count - 1)` with at most `concurrency` of them pending at once, the way a server
 * fans out work without unbounded memory. Rejects on the first failure.
 */
export async function runBounded(count: number, concurrency: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
}
