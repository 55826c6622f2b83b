/**
 * The bare relay: the baseline of `latency`, `throughput` and `fanout`. A `ws` server with no
 * auth and no storage that speaks the same frames as eschat's `/im` with the same codec: a
 * login is answered `[[rr]] s = 0` whatever its token, a `[[m]]` is forwarded to the connection
 * of its `to` and acknowledged `[[a]] id mid cursor`, a `[[gm]]` is forwarded to every other
 * signed-in connection (the relay has no groups: everyone is in the one group) as one frame
 * encoded once, and acknowledged the same way; acknowledgements are read and dropped.
 * Whatever eschat spends beyond this is the price of auth, durability and read models.
 *
 * Run as its own process; prints `{"msg":"relay listening","port":N}`. With RELAY_TLS_DIR it
 * serves WSS with the certificate eschat uses there.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { TomlFrame, TomlValue } from '../../src/codecs/im/toml-frame.js';
import { readFrames } from '../../src/codecs/im/toml-reader.js';
import { writeDocument } from '../../src/codecs/im/toml-writer.js';

const tlsDir = process.env['RELAY_TLS_DIR'];
const server = tlsDir
  ? createHttpsServer({ cert: readFileSync(join(tlsDir, 'server.crt')), key: readFileSync(join(tlsDir, 'server.key')) })
  : createHttpServer();
const sockets = new WebSocketServer({ server });
const byUser = new Map<number, WebSocket>();
/** Stands in for eschat's log position: what `mid` and `cursor` carry. */
let position = 0;

const send = (ws: WebSocket, frame: TomlFrame): void => ws.send(writeDocument([frame]));

sockets.on('connection', (ws) => {
  let userId: number | null = null;
  ws.on('message', (data: RawData) => {
    for (const frame of readFrames(String(data))) {
      if (frame.type === 'r') userId = login(ws, frame);
      else if (frame.type === 'm' && userId !== null) relay(ws, userId, frame);
      else if (frame.type === 'gm' && userId !== null) fanOut(ws, userId, frame);
    }
  });
  ws.on('close', () => {
    if (userId !== null && byUser.get(userId) === ws) byUser.delete(userId);
  });
});

function login(ws: WebSocket, frame: TomlFrame): number {
  const user = frame.fields['user'] as Record<string, TomlValue>;
  const userId = Number(user['id']);
  byUser.set(userId, ws);
  send(ws, { type: 'rr', fields: { id: frame.fields['id'] ?? '', s: 0 } });
  return userId;
}

function relay(ws: WebSocket, from: number, frame: TomlFrame): void {
  const { id, c, to } = frame.fields;
  position += 1;
  const target = byUser.get(Number(to));
  if (target) {
    const ts = Math.floor(Date.now() / 1000);
    send(target, {
      type: 'm',
      fields: { id: id ?? '', t: 'text', c: c ?? '', to: Number(to), from, d: '', ts, mid: position, cursor: position },
    });
  }
  send(ws, { type: 'a', fields: { id: id ?? '', mid: position, cursor: position } });
}

function fanOut(ws: WebSocket, from: number, frame: TomlFrame): void {
  const { id, c, g_id: groupId } = frame.fields;
  position += 1;
  const ts = Math.floor(Date.now() / 1000);
  const text = writeDocument([
    { type: 'gm', fields: { id: id ?? '', t: 'text', c: c ?? '', g_id: groupId ?? 0, from, d: '', ts, mid: position, cursor: position } },
  ]);
  for (const member of byUser.values()) if (member !== ws) member.send(text);
  send(ws, { type: 'a', fields: { id: id ?? '', mid: position, cursor: position } });
}

server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'relay listening', port: (server.address() as AddressInfo).port }));
});
process.once('SIGTERM', () => process.exit(0));
