import { once } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { tokenFromRequest } from '../codecs/request-credentials.js';
import { readFrames } from '../codecs/im/toml-reader.js';
import { TomlSyntaxError } from '../codecs/im/toml-frame.js';
import { callerOf, type Caller } from '../queries/sessions.js';
import { ImConnection } from './im/im-connection.js';
import { documentEncoding, editsDocumentEncoding } from './im/im-encoding.js';
import type { JsonTransport } from './v1/json-transport.js';
import type { RealtimeContext } from './delivery/realtime-context.js';
import { NO_SIGNALS, type SignalFeature } from './delivery/signal.js';
import { corkForTick, uncorkNow } from './delivery/tick-cork.js';
import { V1RoomChatConnection } from './v1/v1-room-chat-connection.js';
import { V1StreamConnection } from './v1/v1-stream-connection.js';
import { v1ErrorBody, type V1ErrorCode } from '../codecs/v1/v1-error-codes.js';

const HEARTBEAT_MS = 30_000;
/** WebSocket close code 1012 "service restart": the server is stopping; reconnect and resume. */
const SERVICE_RESTART = 1012;
/** How long clients get to answer the closing handshake at shutdown before their sockets are cut. */
const CLOSE_GRACE_MS = 1000;
const ROOM_CHAT = /^\/v1\/rooms\/(\d+)\/chat\/?$/;
/** ws sends a Buffer as a binary message unless told otherwise: encoded frames are text. */
const TEXT = { binary: false };

type Refusal = [status: number, code: V1ErrorCode];

const SIGNAL_FEATURES: readonly SignalFeature[] = ['reads', 'typing', 'presence'];

/**
 * Every WebSocket endpoint on the HTTP(S) port, routed by path at the upgrade: `/im` (TOML),
 * `/v1/stream` and `/v1/rooms/:id/chat` (JSON). v1 endpoints are authorized before the upgrade;
 * a refusal is an HTTP answer (401, 403, 404), never a socket that opens and closes.
 */
export class WebSocketGateway {
  private readonly server: WebSocketServer;
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Set at shutdown: every socket closed from then on says 1012 rather than why it would otherwise close. */
  private restarting = false;

  constructor(
    private readonly ctx: RealtimeContext,
    private readonly allowedOrigins: readonly string[],
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: Math.max(4 * ctx.limits.frameBytes, 1024 * 1024) });
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      this.upgrade(request, socket, head).catch((error: unknown) => {
        this.ctx.log.error({ err: error }, 'websocket upgrade failed');
        refuse(socket, [500, 'internal_error']);
      });
    });
  }

  /** The server is stopping: sockets closed from now on (the connections are told next) say 1012 service restart. */
  shuttingDown(): void {
    this.restarting = true;
  }

  /** Closes what is still open with 1012, gives the clients a moment to answer, then cuts the rest. */
  async close(): Promise<void> {
    this.shuttingDown();
    clearInterval(this.heartbeat);
    const clients = [...this.server.clients];
    for (const client of clients) client.close(SERVICE_RESTART, 'service restart');
    const closed = Promise.all(clients.map((client) => (client.readyState === WebSocket.CLOSED ? undefined : once(client, 'close'))));
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(grace);
    for (const client of this.server.clients) client.terminate();
    this.server.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const origin = request.headers.origin;
    if (origin && this.allowedOrigins.length > 0 && !this.allowedOrigins.includes(origin)) return refuse(socket, [403, 'forbidden_origin']);
    if (url.pathname === '/im') return this.accept(request, socket, head, (ws) => this.im(ws, request, socket, url));
    const room = ROOM_CHAT.exec(url.pathname);
    if (url.pathname !== '/v1/stream' && url.pathname !== '/v1/stream/' && !room) return refuse(socket, [404, 'not_found']);
    const caller = await callerOf(this.ctx.read, tokenFromRequest(request));
    if (!caller) return refuse(socket, [401, 'unauthorized']);
    if (!room) return this.accept(request, socket, head, (ws) => this.stream(ws, caller, url));
    const roomId = Number(room[1]);
    const refusal = await this.roomChatRefusal(caller, roomId);
    if (refusal) return refuse(socket, refusal);
    this.accept(request, socket, head, (ws) => this.roomChat(ws, caller, roomId, request));
  }

  private async roomChatRefusal(caller: Caller, roomId: number): Promise<Refusal | null> {
    const route = await this.ctx.routing.route(roomId);
    if (!route) return [404, 'room_not_found'];
    return route.members.has(caller.userId) ? null : [403, 'not_a_member'];
  }

  private accept(request: IncomingMessage, socket: Duplex, head: Buffer, open: (ws: WebSocket) => void): void {
    this.server.handleUpgrade(request, socket, head, (ws) => {
      this.watch(ws);
      open(ws);
    });
  }

  /**
   * In a method of its own so that the listeners' closures, which live as long as the socket,
   * do not hold `open`'s scope: that would keep the upgrade request (headers, URL) for each socket.
   */
  private watch(ws: WebSocket): void {
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('error', () => ws.terminate());
  }

  /**
   * `socket` is the one under the WebSocket: ws writes each message with a write call of its own.
   * A client opts into what simple_im did not know with `?features=` (a comma-separated list):
   * `edits` (edits and deletions of messages), `reads` (read markers and receipts), `typing`,
   * `presence`. Others get only what simple_im knew, as frames they do not know crash them;
   * unknown features are ignored (a newer client on an older server).
   */
  private im(ws: WebSocket, request: IncomingMessage, socket: Duplex, url: URL): void {
    const { edits, signals } = featuresAsked(url);
    const connection = new ImConnection(this.ctx, {
      encoding: edits ? editsDocumentEncoding : documentEncoding,
      signals,
      write: (bytes) => {
        corkForTick(socket);
        return this.sendText(ws, bytes);
      },
      flush: () => uncorkNow(socket),
      close: () => ws.close(this.restarting ? SERVICE_RESTART : 1000),
      abort: () => ws.terminate(),
      buffered: () => ws.bufferedAmount,
      address: request.socket.remoteAddress ?? null,
      wire: 'websocket',
    });
    ws.on('message', (data: RawData, binary: boolean) => {
      const text = this.textOf(data, binary);
      if (typeof text !== 'string') return connection.malformed(text.reason);
      try {
        connection.receive(readFrames(text));
      } catch (error) {
        if (!(error instanceof TomlSyntaxError)) throw error;
        connection.malformed(error.reason, text);
      }
    });
    ws.on('close', () => connection.closed());
  }

  private stream(ws: WebSocket, caller: Caller, url: URL): void {
    const cursor = url.searchParams.get('cursor');
    const resumeAfter = cursor !== null && /^\d{1,15}$/.test(cursor) ? Number(cursor) : null;
    const device = (url.searchParams.get('device') || caller.device).slice(0, 64);
    const connection = new V1StreamConnection(this.ctx, this.jsonTransport(ws), caller, device);
    this.onJson(ws, (message) => connection.receive(message));
    ws.on('close', () => connection.ended());
    connection.start(resumeAfter).catch((error: unknown) => {
      this.ctx.log.error({ err: error }, 'v1 stream failed to start');
      ws.close(1011);
    });
  }

  private roomChat(ws: WebSocket, caller: Caller, roomId: number, request: IncomingMessage): void {
    const connection = new V1RoomChatConnection(this.ctx, this.jsonTransport(ws), caller, roomId, request.socket.remoteAddress ?? null);
    this.onJson(ws, (message) => void connection.receive(message));
    ws.on('close', () => connection.ended());
  }

  /** JSON messages to `receive`; what does not parse gets an error frame, the socket stays. */
  private onJson(ws: WebSocket, receive: (message: unknown) => void): void {
    ws.on('message', (data: RawData, binary: boolean) => {
      const text = this.textOf(data, binary);
      if (typeof text !== 'string') return void this.sendText(ws, JSON.stringify(v1ErrorBody(text.code)));
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return void this.sendText(ws, JSON.stringify(v1ErrorBody('invalid_json')));
      }
      receive(message);
    });
  }

  private textOf(data: RawData, binary: boolean): string | { reason: string; code: V1ErrorCode } {
    // A Buffer (ws's default) is read where it lies: Buffer.from would copy it.
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (binary) return { reason: 'binary frames are not read', code: 'binary_frame' };
    if (bytes.length > this.ctx.limits.frameBytes) return { reason: 'frame too large', code: 'payload_too_large' };
    return bytes.toString('utf8');
  }

  /** Sends unless closed; false once the client lets too much pile up (it is then closed). */
  private sendText(ws: WebSocket, text: string | Buffer): boolean {
    if (ws.readyState !== WebSocket.OPEN) return true;
    ws.send(text, TEXT);
    return ws.bufferedAmount < this.ctx.limits.sendBufferBytes;
  }

  private jsonTransport(ws: WebSocket): JsonTransport {
    return {
      send: (frame) => this.sendText(ws, JSON.stringify(frame)),
      close: (reason) => ws.close(this.restarting ? SERVICE_RESTART : 4000, reason.slice(0, 120)),
      abort: () => ws.terminate(),
      buffered: () => ws.bufferedAmount,
    };
  }

  private beat(): void {
    for (const ws of this.server.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}

/**
 * What `/im?features=` asks for. Apart from `im`, whose closures live as long as the socket: a
 * Set of the words asked would otherwise stay with each; most sockets ask none and share one empty Set.
 */
function featuresAsked(url: URL): { edits: boolean; signals: ReadonlySet<SignalFeature> } {
  const asked = new Set((url.searchParams.get('features') ?? '').split(',').map((feature) => feature.trim()));
  const signals = SIGNAL_FEATURES.filter((feature) => asked.has(feature));
  return { edits: asked.has('edits'), signals: signals.length > 0 ? new Set(signals) : NO_SIGNALS };
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

function refuse(socket: Duplex, [status, code]: Refusal): void {
  const body = JSON.stringify(v1ErrorBody(code));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
