import { WebSocket } from 'ws';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testCertificates, type TestServer } from './test-server.js';

/** A v1 WebSocket client (room chat or stream) that keeps every JSON frame it receives. */
export class V1Socket {
  readonly frames: Array<Record<string, unknown>> = [];
  closed = false;
  closeCode = 0;

  private handler: ((frame: Record<string, unknown>) => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (this.handler) this.handler(frame);
      else this.frames.push(frame);
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
    });
  }

  /** Opens `path` with the session in the URL, as the seed's clients do; rejects with the HTTP status if refused. */
  static open(t: { server: Pick<TestServer['server'], 'port'> }, path: string, token: string): Promise<V1Socket> {
    const separator = path.includes('?') ? '&' : '?';
    const ws = new WebSocket(`wss://localhost:${t.server.port}${path}${separator}session_id=${token}`, {
      ca: readFileSync(join(testCertificates, 'ca.crt')),
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new V1Socket(ws)));
      ws.once('unexpected-response', (_request, response) => reject(new Error(`refused ${response.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** When set, every frame goes here instead of being kept in `frames`, starting with those kept so far. */
  set onFrame(handler: (frame: Record<string, unknown>) => void) {
    this.handler = handler;
    for (const frame of this.frames.splice(0)) handler(frame);
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  async next(match: (frame: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0]!;
      if (this.closed || Date.now() > deadline) throw new Error(`no matching frame; have ${JSON.stringify(this.frames)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Waits until the server closed the socket. */
  async whenClosed(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!this.closed) throw new Error('still open');
    return this.closeCode;
  }

  close(): void {
    this.ws.close();
  }
}
