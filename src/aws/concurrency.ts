/** Bounded concurrency for fan-out over clusters, tasks and ACLs. */

/**
 * Runs `fn` over `items` with at most `concurrency` in flight; results keep input order.
 * `fn` should not throw (adapters catch per item so one failure never aborts the rest);
 * if it does, the first error is rethrown after every started item has settled.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const limit = Math.max(1, Math.floor(concurrency) || 1);
  const results = new Array<R>(items.length);
  let next = 0;
  let firstError: { err: unknown } | undefined;
  async function worker(): Promise<void> {
    while (next < items.length && !firstError) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        firstError ??= { err };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  if (firstError) throw firstError.err;
  return results;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
