import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { FrameSplitter } from '../../codecs/im/frame-splitter.js';
import type { Wire } from '../delivery/connection.js';
import { NO_SIGNALS } from '../delivery/signal.js';
import { ImConnection } from './im-connection.js';
import { lineEncoding } from './im-encoding.js';
import type { RealtimeContext } from '../delivery/realtime-context.js';
import { RecordWriter } from './record-writer.js';

const KEEPALIVE_MS = 30_000;
const CLOSE_GRACE_MS = 500;

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

export interface ImListener {
  server: Server;
  /** Stops listening and drops every socket, signed in or not; resolves when closed. */
  close(): Promise<void>;
}

/**
 * The IM port for legacy simple_im clients: TLS (or plain TCP with ESCHAT_TLS=off) carrying
 * unframed TOML, one frame per line out, and in whatever way the client wrote them.
 */
export function createImListener(ctx: RealtimeContext, tls: TlsMaterial | null): ImListener {
  const sockets = new Map<Socket, RecordWriter>();
  const onSocket = (socket: Socket) => {
    sockets.set(socket, serve(ctx, socket, tls ? 'tls' : 'tcp'));
    socket.once('close', () => sockets.delete(socket));
  };
  const server = tls ? createTlsServer({ ...tls, minVersion: 'TLSv1.2' }, onSocket) : createTcpServer(onSocket);
  return {
    server,
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Signed-in clients were told to resume already: their last frame gets a moment to leave.
      // The rest (mid-login) need not wait for their login timeout.
      for (const [socket, writer] of sockets) {
        writer.end();
        setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
      }
      return closed;
    },
  };
}

/** Serves one connection; its writer is how anything is written to the socket, its end included. */
function serve(ctx: RealtimeContext, socket: Socket, wire: Wire): RecordWriter {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEPALIVE_MS);
  const writer = new RecordWriter(socket);
  const connection = new ImConnection(ctx, {
    encoding: lineEncoding,
    write(bytes) {
      writer.write(bytes);
      return writer.buffered() < ctx.limits.sendBufferBytes;
    },
    flush: () => writer.flush(),
    close: () => writer.end(),
    abort: () => socket.destroy(),
    buffered: () => writer.buffered(),
    address: socket.remoteAddress ?? null,
    wire,
    signals: NO_SIGNALS,
  });
  const splitter = new FrameSplitter(
    (frames) => connection.receive(frames),
    (reason, text) => connection.malformed(reason, text),
    { maxBufferBytes: ctx.limits.frameBytes, idleFlushMs: 50 }, // 50 ms: past the 40 ms a client's Nagle algorithm holds the rest of a frame for an ACK
  );
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  socket.on('end', () => splitter.end());
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    splitter.close();
    connection.closed();
  });
  return writer;
}
