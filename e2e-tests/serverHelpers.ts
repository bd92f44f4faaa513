// What several browser specs wait for on the real servers they start.

/** Waits until `url` answers 2xx (up to 30 s). */
export async function waitReady(url: string) {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url)
      .then(r => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`not ready: ${url}`);
}

/** Waits until the Prometheus on 127.0.0.1:`port` answers `query` with a sample (up to 30 s). */
export async function waitForSeries(port: number, query: string) {
  const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(
    query,
  )}`;
  for (let i = 0; i < 300; i++) {
    const body = await fetch(url)
      .then(r => r.json())
      .catch(() => undefined);
    if (body?.data?.result?.length) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`no series: ${query}`);
}
