import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  body: string;
}

export type Form = Record<string, string | readonly string[]>;

/**
 * A keep-alive HTTP(S) client for setting benchmarks up through the real API. Development
 * certificates are accepted: the benchmark measures the server, it does not authenticate it.
 */
export class HttpClient {
  private readonly agent: HttpAgent;
  private readonly secure: boolean;

  constructor(private readonly baseUrl: string) {
    this.secure = baseUrl.startsWith('https:');
    this.agent = this.secure ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: false }) : new HttpAgent({ keepAlive: true });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.send('GET', path, headers, null);
  }

  /** `application/x-www-form-urlencoded`, as simple_im clients post; a list repeats its key. */
  postForm(path: string, form: Form, headers: Record<string, string> = {}, method = 'POST'): Promise<HttpAnswer> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) for (const item of typeof value === 'string' ? [value] : value) body.append(key, item);
    return this.send(method, path, { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body.toString());
  }

  postJson(path: string, json: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.send('POST', path, { ...headers, 'content-type': 'application/json' }, JSON.stringify(json));
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, headers: Record<string, string>, body: string | null): Promise<HttpAnswer> {
    const request = this.secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const call = request(new URL(path, this.baseUrl), { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      call.on('error', reject);
      call.end(body ?? undefined);
    });
  }
}

/** The im dialect's cookie for a session token. */
export const tokenCookie = (token: string): Record<string, string> => ({ cookie: `token=${token}` });
