/**
 * The one way opsdeck's views ask Prometheus: a form-encoded POST to its
 * HTTP API (`/api/v1/query` or `/api/v1/query_range`) with PromQL that
 * opsdeck built from fixed expressions and escaped matchers.
 */
export async function prometheusQuery<T>(
  prometheusUrl: string,
  api: 'query' | 'query_range',
  params: Record<string, string>,
): Promise<T[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/${api}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) {
    throw new Error(`Prometheus answered HTTP ${res.status}`);
  }
  const body = (await res.json()) as { data: { result: T[] } };
  return body.data.result;
}
