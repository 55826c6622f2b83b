import { request as httpRequest, type Agent } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body as received, for binary answers (media). */
  bytes: Buffer;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A plain HTTP(S) client as a real one would talk: real sockets, real TLS with the dev CA. */
export class HttpsClient {
  constructor(
    readonly baseUrl: string,
    private readonly ca?: Buffer,
    /** A keep-alive agent for tests that send thousands of requests; default: a connection per request. */
    private readonly agent: Agent | false = false,
  ) {}

  request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const url = new URL(path, this.baseUrl);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers: options.headers, ca: this.ca, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: bytes.toString('utf8'), bytes });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(options.body);
    });
  }

  /** A v1 call: JSON in, JSON out. */
  async json(
    method: string,
    path: string,
    body?: unknown,
    session?: string,
  ): Promise<{ status: number; body: unknown; headers: Answer['headers'] }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (session) headers['x-session-id'] = session;
    const answer = await this.request(method, path, { headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: answer.status, body: answer.text ? (JSON.parse(answer.text) as unknown) : undefined, headers: answer.headers };
  }

  /** An im call: a form in, TOML text out. */
  form(method: string, path: string, fields: Record<string, string | string[]> = {}, token?: string): Promise<Answer> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) for (const each of [value].flat()) body.append(key, each);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (token) headers['cookie'] = `token=${token}`;
    return this.request(method, path, { headers, body: body.toString() });
  }
}
