/** Reads `/metrics` and answers the value of one sample (`name{label="x"}`), 0 when it is not there yet. */
export async function metricValue(base: string, sample: string, headers: Record<string, string> = {}): Promise<number> {
  return (await scrape(base, headers)).value(sample);
}

/** One reading of `/metrics`. */
export interface Scrape {
  text: string;
  /** The value of one sample as the text writes it (`name{label="x"}`), 0 when it is not there. */
  value(sample: string): number;
  /** Family names with their type (`# TYPE name counter`). */
  families: Map<string, string>;
}

export async function scrape(base: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(`${base}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const text = await res.text();
  const values = new Map<string, number>();
  const families = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice('# TYPE '.length).split(' ');
      families.set(name, type);
    } else if (line !== '' && !line.startsWith('#')) {
      const space = line.lastIndexOf(' ');
      values.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
  }
  return { text, value: (sample) => values.get(sample) ?? 0, families };
}
