import { WebSocket } from 'ws';
import type { TomlFrame, TomlValue } from '../../src/codecs/im/toml-frame.js';
import { readFrames } from '../../src/codecs/im/toml-reader.js';
import { writeDocument } from '../../src/codecs/im/toml-writer.js';

export interface ImSocketOptions {
  /** Source address of the connection (one of 127.0.0.x), to spread sockets over more ports. */
  localAddress?: string;
}

const LOGIN_TIMEOUT_MS = 30_000;

/**
 * A simple_im client over WebSocket `/im`, as lean as a load generator needs: one TOML document
 * per message, written and read with eschat's own codec, every frame handed to `onFrame`.
 * The same code drives eschat and the bare relay.
 */
export class ImSocket {
  /** Every frame received after login. */
  onFrame: (frame: TomlFrame) => void = () => undefined;
  private pending: ((frame: TomlFrame) => boolean) | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      for (const frame of readFrames(String(data))) {
        if (this.pending?.(frame)) continue;
        this.onFrame(frame);
      }
    });
  }

  static open(url: string, options: ImSocketOptions = {}): Promise<ImSocket> {
    // Certificates are eschat's development ones: the benchmark measures, it does not authenticate the server.
    const ws = new WebSocket(url, {
      rejectUnauthorized: false,
      perMessageDeflate: false,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', () => undefined);
        resolve(new ImSocket(ws));
      });
      ws.once('error', reject);
    });
  }

  send(type: string, fields: Record<string, TomlValue>): void {
    this.ws.send(writeDocument([{ type, fields }]));
  }

  /** Logs in; rejects unless answered `[[rr]] s = 0`. Frames replayed after the answer go to onFrame. */
  login(userId: number, token: string, device: string): Promise<void> {
    const id = `login_${userId}_${device}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to the login of user ${userId} (${device})`)), LOGIN_TIMEOUT_MS);
      this.pending = (frame) => {
        if (frame.type !== 'rr' || frame.fields['id'] !== id) return false;
        clearTimeout(timer);
        this.pending = null;
        if (frame.fields['s'] === 0) resolve();
        else reject(new Error(`login of user ${userId} refused: ${JSON.stringify(frame.fields)}`));
        return true;
      };
      this.send('r', { id, t: 'login', user: { id: userId, d: device, token } });
    });
  }

  /** Acknowledges a delivered frame, as a simple_im client does for every one. */
  ack(frame: TomlFrame): void {
    this.send('a', { id: frame.fields['id'] ?? '' });
  }

  close(): void {
    this.ws.terminate();
  }
}
