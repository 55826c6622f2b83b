import type { HttpsClient } from './https-client.js';

/** One scrape of `GET /metrics`, read as a Prometheus server would. */
export class Scrape {
  constructor(readonly text: string) {}

  static async of(client: HttpsClient, token?: string): Promise<Scrape> {
    const answer = await client.request('GET', '/metrics', token ? { headers: { authorization: `Bearer ${token}` } } : {});
    if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status}: ${answer.text}`);
    return new Scrape(answer.text);
  }

  /** The sample `name` with exactly these labels (in any order); 0 when the series does not exist yet. */
  value(name: string, labels: Record<string, string> = {}): number {
    const wanted = Object.entries(labels)
      .map(([key, value]) => `${key}="${value}"`)
      .sort()
      .join(',');
    for (const line of this.text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const found = (match[2] ?? '')
        .split(/,(?=[a-zA-Z_]\w*=")/)
        .filter((pair) => pair !== '')
        .sort()
        .join(',');
      if (found === wanted) return Number(match[3]);
    }
    return 0;
  }
}
