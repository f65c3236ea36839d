/** Reads `/metrics` and answers the value of one sample (`name{label="x"}`), 0 when it is not there yet. */
export async function metricValue(base: string, sample: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${base}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}
