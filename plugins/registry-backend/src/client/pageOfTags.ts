/** The page of `limit` tags after `last` of a sorted list, as the registry would page it. */
export function pageOfTags(sorted: string[], limit: number, last?: string) {
  let from = 0;
  if (last !== undefined) {
    // first index whose tag sorts after `last`
    let hi = sorted.length;
    while (from < hi) {
      const mid = (from + hi) >>> 1;
      if (sorted[mid] <= last) from = mid + 1;
      else hi = mid;
    }
  }
  const items = sorted.slice(from, from + limit);
  return {
    items,
    next: sorted.length - from > limit ? items[items.length - 1] : undefined,
  };
}
