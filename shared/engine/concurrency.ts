/**
 * Runs `work` over `items` with at most `limit` in flight. Batch bookkeeping (closing 50 offers, texting a
 * batch) is independent per patient; doing it one by one made a fill take seconds at larger batch sizes.
 */
export async function forEachLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}
