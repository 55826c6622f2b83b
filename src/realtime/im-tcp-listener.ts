import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { FrameSplitter } from '../codecs/frame-splitter.js';
import { writeFrameLine } from '../codecs/toml-writer.js';
import { ImConnection } from './im-connection.js';
import type { RealtimeContext } from './realtime-context.js';

/** Past this many bytes waiting to be sent, a client is too slow and is closed (it resumes later). */
const SEND_BUFFER_BOUND = 8 * 1024 * 1024;
const KEEPALIVE_MS = 30_000;

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/**
 * The IM port for legacy simple_im clients: TLS (or plain TCP with ESCHAT_TLS=off) carrying
 * unframed TOML, one frame per line out, and in whatever way the client wrote them.
 */
export function createImListener(ctx: RealtimeContext, tls: TlsMaterial | null): Server {
  const onSocket = (socket: Socket) => serve(ctx, socket);
  return tls ? createTlsServer({ ...tls, minVersion: 'TLSv1.2' }, onSocket) : createTcpServer(onSocket);
}

function serve(ctx: RealtimeContext, socket: Socket): void {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEPALIVE_MS);
  const connection = new ImConnection(ctx, {
    send(frame) {
      if (socket.destroyed) return true;
      socket.write(`${writeFrameLine(frame)}\n`);
      return socket.writableLength < SEND_BUFFER_BOUND;
    },
    close: () => socket.end(),
    address: socket.remoteAddress ?? null,
  });
  const splitter = new FrameSplitter(
    (frames) => connection.receive(frames),
    (reason) => connection.malformed(reason),
    { maxBufferBytes: ctx.limits.frameBytes },
  );
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  socket.on('end', () => splitter.end());
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    splitter.close();
    connection.closed();
  });
}
