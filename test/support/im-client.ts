import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import type { TomlFrame, TomlValue } from '../../src/codecs/im/toml-frame.js';
import { readFrames } from '../../src/codecs/im/toml-reader.js';
import { writeDocument, writeFrameLine } from '../../src/codecs/im/toml-writer.js';

type Wire = { send(frame: TomlFrame): void; raw(data: string | Buffer): void; close(): void; pause?(): void; resume?(): void };

/**
 * A simple_im client as a real one talks: over WebSocket `/im` (one TOML document per
 * message) or TLS on the IM port (one-line frames). It keeps every frame it receives.
 */
export class ImClient {
  readonly frames: TomlFrame[] = [];
  closed = false;
  private handler: ((frame: TomlFrame) => void) | null = null;
  private wire!: Wire;
  private waiters: Array<() => void> = [];

  static websocket(url: string, ca?: Buffer): Promise<ImClient> {
    const client = new ImClient();
    const ws = new WebSocket(url, { ca });
    ws.on('message', (data) => client.received(readFrames(String(data))));
    ws.on('close', () => client.ended());
    client.wire = {
      send: (frame) => ws.send(writeDocument([frame])),
      // A Buffer goes out as a binary message, a string as a text message.
      raw: (data) => ws.send(data, { binary: Buffer.isBuffer(data) }),
      close: () => ws.close(),
    };
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** `nagle`: keep Nagle's algorithm on, as many legacy clients do: small writes then wait for an ACK. */
  static tls(port: number, ca?: Buffer, { nagle = false } = {}): Promise<ImClient> {
    const client = new ImClient();
    let buffered = '';
    const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    socket.setNoDelay(!nagle);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) client.received(readFrames(line));
    });
    socket.on('close', () => client.ended());
    socket.on('error', () => undefined);
    client.wire = {
      send: (frame) => socket.write(`${writeFrameLine(frame)}\n`),
      raw: (data) => socket.write(data),
      close: () => socket.end(),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    };
    return new Promise((resolve, reject) => {
      socket.once('secureConnect', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(type: string, fields: Record<string, TomlValue>): void {
    this.wire.send({ type, fields });
  }

  /** Writes text or bytes as they are, for tests of what clients should not send. */
  sendRaw(data: string | Buffer): void {
    this.wire.raw(data);
  }

  /** Logs in and resolves the `[[rr]]` answer. */
  async login(user: { id: number; token: string }, device = 'android', id = 'login_1'): Promise<TomlFrame> {
    this.send('r', { id, t: 'login', user: { id: user.id, d: device, token: user.token } });
    return this.next((frame) => frame.type === 'rr' && frame.fields['id'] === id);
  }

  /** Resolves the first frame received (now or later) that matches, and removes it. */
  async next(match: (frame: TomlFrame) => boolean, timeoutMs = 5000): Promise<TomlFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0]!;
      if (this.closed || Date.now() > deadline) throw new Error(`no matching frame; have ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Acknowledges a frame it received. */
  ack(frame: TomlFrame, device = 'android'): void {
    this.send('a', { id: frame.fields['id'] ?? '', d: device });
  }

  close(): void {
    this.wire.close();
  }

  /** Stops reading from the socket (TLS only), as a stalled client would. */
  pause(): void {
    this.wire.pause?.();
  }

  resume(): void {
    this.wire.resume?.();
  }

  /**
   * When set, every frame goes here instead of being kept in `frames`, starting with those kept
   * so far: frames that came in the same read as the login answer are not lost to it.
   */
  set onFrame(handler: (frame: TomlFrame) => void) {
    this.handler = handler;
    for (const frame of this.frames.splice(0)) handler(frame);
  }

  private received(frames: TomlFrame[]): void {
    if (this.handler) for (const frame of frames) this.handler(frame);
    else this.frames.push(...frames);
    this.wake();
  }

  private ended(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
