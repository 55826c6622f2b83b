import type { TomlFrame, TomlValue } from '../../codecs/im/toml-frame.js';
import { readableId } from '../../codecs/im/readable-id.js';
import { CommandRefused } from '../../commands/decider.js';
import { IM_REFUSALS } from '../../codecs/im/im-refusals.js';
import { findSessionByToken } from '../../queries/sessions.js';
import { catchUp } from '../delivery/catch-up.js';
import type { Connection, Wire } from '../delivery/connection.js';
import { DeliveryChannel } from '../delivery/delivery-channel.js';
import type { Delivery } from '../delivery/delivery.js';
import { featureOf, type Signal, type SignalFeature } from '../delivery/signal.js';
import { imSignalFrame } from './im-frames.js';
import type { ImEncoding } from './im-encoding.js';
import type { RealtimeContext } from '../delivery/realtime-context.js';
import { TokenBucket } from '../delivery/token-bucket.js';

/** One transport under an im connection: WebSocket `/im` or TLS/TCP on the IM port. */
export interface ImTransport {
  /** How this transport puts frames into bytes. */
  readonly encoding: ImEncoding;
  /**
   * Writes one encoded frame; false when the connection's send buffer is over its bound.
   * Frames written together may leave together, in one write call.
   */
  readonly write: (bytes: Buffer) => boolean;
  /** Sends what was written so far on its own, ahead of what follows. */
  flush(): void;
  /** Closes after what was written is sent. */
  close(): void;
  /** Drops the connection now, with whatever is still unsent (a stalled client). */
  abort(): void;
  /** Bytes written but not yet taken by the client. */
  readonly buffered: () => number;
  readonly address: string | null;
  readonly wire: Wire;
  /** The live signals the client asked for (`WS /im?features=`); none on the IM port, whose clients know none. */
  readonly signals: ReadonlySet<SignalFeature>;
}

const LOGIN_TIMEOUT_MS = 10_000;
/** Frames a client may send behind its login before the login is answered. */
const MAX_EARLY_FRAMES = 100;

let notices = 0;
/** The id of an `[[rr]]` that answers no request of the client's: simple_im's client reads every `[[rr]]` by its id. */
const noticeId = (): string => `notice_${++notices}`;

const reply = (id: TomlValue | undefined, fields: Record<string, TomlValue>): TomlFrame => ({
  type: 'rr',
  fields: { id: id ?? noticeId(), ...fields },
});

/**
 * The simple_im protocol on one connection: login within 10 s, then messages (`[[m]]`,
 * `[[gm]]`) acknowledged once stored, acknowledgements (`[[a]]`) of what it was sent, and
 * every delivery for the user, replayed first from where this device left off.
 */
export class ImConnection implements Connection {
  userId = 0;
  sessionId = '';
  device = '';
  readonly exclusive = true;
  private state: 'login' | 'verifying' | 'live' | 'closed' = 'login';
  private channel: DeliveryChannel<Buffer> | null = null;
  private readonly early: TomlFrame[] = [];
  private readonly bucket: TokenBucket;
  /** Dropped once signed in: a cleared Timeout kept for the socket's life is memory for nothing. */
  private loginTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: RealtimeContext,
    private readonly transport: ImTransport,
  ) {
    this.bucket = new TokenBucket(ctx.limits.messagesPerSecond, ctx.limits.messageBurst);
    this.loginTimer = setTimeout(() => this.close('login timeout'), LOGIN_TIMEOUT_MS);
    this.loginTimer.unref();
  }

  get wire(): Wire {
    return this.transport.wire;
  }

  /**
   * TLS/TCP, as simple_im: at login a device is sent again only what it was sent and did not
   * acknowledge; what arrived while it was away is fetched with GET /offline. WebSocket `/im`
   * resumes everything.
   */
  private get legacy(): boolean {
    return this.transport.wire !== 'websocket';
  }

  /** Frames read off the transport, in order. */
  receive(frames: readonly TomlFrame[]): void {
    for (const frame of frames) {
      if (this.state === 'closed') return;
      if (this.state === 'login') void this.login(frame);
      else if (this.state === 'live') this.handle(frame);
      // A client may send right behind its login: kept for after it, within reason.
      else if (this.early.length < MAX_EARLY_FRAMES) this.early.push(frame);
      else this.send(reply(frame.fields['id'], { s: 1, r: 'Login in progress' }));
    }
  }

  /** A frame that could not be read: said to the client, with the frame's id when it can be made out; the connection stays. */
  malformed(reason: string, text?: string): void {
    if (this.state !== 'closed') this.send(reply(text === undefined ? undefined : readableId(text), { s: 1, r: reason }));
  }

  deliver(delivery: Delivery): void {
    this.channel?.push(delivery);
  }

  /** Only the signals the client opted into, once signed in; a client past its buffer bound misses them. */
  signal(signal: Signal): void {
    if (this.state !== 'live' || !this.transport.signals.has(featureOf(signal))) return;
    if (this.transport.buffered() > this.ctx.limits.sendBufferBytes) return;
    const frame = imSignalFrame(signal, this.userId, this.ctx.routing);
    if (frame) this.send(frame);
  }

  close(reason: string, quiet = false): void {
    if (this.state === 'closed') return;
    if (this.state === 'live' && !quiet) this.send(reply(undefined, { s: 1, r: `Closed: ${reason}` }));
    this.state = 'closed';
    this.stopLoginTimer();
    this.channel?.close();
    this.ctx.registry.remove(this);
    this.transport.close();
  }

  private stopLoginTimer(): void {
    clearTimeout(this.loginTimer);
    this.loginTimer = undefined;
  }

  /** A method, not a field read, so that it is read again after an await. */
  private isLive(): boolean {
    return this.state === 'live';
  }

  /** The client stopped reading: its cursor keeps what it missed for its next login. */
  private abort(): void {
    this.closed();
    this.transport.abort();
  }

  /** The transport went away. */
  closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopLoginTimer();
    this.channel?.close();
    this.ctx.registry.remove(this);
  }

  private async login(frame: TomlFrame): Promise<void> {
    const id = frame.fields['id'];
    const user = frame.fields['user'];
    const refuse = (fields: Record<string, TomlValue>) => {
      this.send(reply(id, { ...fields, s: 1 }));
      this.close('login refused');
    };
    if (frame.type !== 'r' || frame.fields['t'] !== 'login') return refuse({ r: 'Unknown request' });
    if (typeof user !== 'object' || user === null || Array.isArray(user)) return refuse({ r: 'user Required' });
    for (const key of ['id', 'd', 'token']) {
      const value = user[key];
      if (value === undefined || typeof value === 'object' || String(value).trim() === '') return refuse({ r: `${key} Required` });
    }
    this.state = 'verifying';
    const session = await findSessionByToken(this.ctx.read, String(user['token']));
    if (this.state !== 'verifying') return;
    if (!session || String(session.userId) !== String(user['id'])) return refuse({ t: 'login', r: 'Token not match' });
    this.stopLoginTimer();
    const opened = await this.open(session.userId, session.sessionId, String(user['d']).slice(0, 64));
    if (typeof opened === 'string') return refuse({ t: 'login', r: opened });
    const channel = opened;
    if (!channel) return;
    // The client asks GET /offline as soon as it reads the answer, maybe of another process: the away range is stored first.
    if (this.legacy) await this.ctx.cursors.flush();
    if (!this.isLive()) return;
    // Live deliveries are held by the channel until the replay of what the device missed is out.
    // Clients set up their frame handlers once they read the answer: it leaves before the replay.
    this.send(reply(id, { s: 0 }));
    this.transport.flush();
    this.handleEarly();
    if (this.transport.signals.has('presence')) this.ctx.presence.fanOut.snapshot(this);
    await catchUp(this.ctx, this.userId, channel);
  }

  /**
   * Registers the signed-in connection with its device's channel: the channel, null if the
   * connection closed meanwhile, or the reason the registry refused it.
   */
  private async open(userId: number, sessionId: string, device: string): Promise<DeliveryChannel<Buffer> | null | string> {
    Object.assign(this, { userId, sessionId, device });
    const replay = this.legacy ? 'sent' : 'all';
    const cursor = await this.ctx.cursors.device(userId, device, replay);
    if (this.state !== 'verifying') return null;
    // Legacy: what arrived while away is fetched with GET /offline; from here on (the channel is
    // registered in this same turn) everything is sent.
    if (this.legacy) this.ctx.cursors.awayUntil(cursor, this.ctx.fanOut.position);
    const channel = new DeliveryChannel<Buffer>({
      replay,
      userId,
      device,
      cursor,
      skipOwn: true,
      // The transport's and the encoding's own functions, not closures of this connection: a socket's memory counts.
      encode: this.transport.encoding.delivery,
      write: this.transport.write,
      buffered: this.transport.buffered,
      highWater: this.ctx.limits.sendBufferBytes,
      stallMs: this.ctx.limits.stallSeconds * 1000,
      catchUp: () => void catchUp(this.ctx, userId, channel),
      cursorChanged: this.ctx.cursors.changed,
      stalled: () => this.abort(),
      gap: (skipped) => this.send(reply(undefined, { s: 1, r: `gap: ${skipped} older deliveries are past the replay window` })),
    });
    const refused = this.ctx.registry.add(this);
    if (refused) return refused;
    this.channel = channel;
    this.state = 'live';
    return channel;
  }

  /** Writes a frame of this connection's own (an answer, an acknowledgement); false as ImTransport.write. */
  private send(frame: TomlFrame): boolean {
    return this.transport.write(this.transport.encoding.encode(frame));
  }

  /** The frames that came behind the login, now that it is answered. */
  private handleEarly(): void {
    for (const frame of this.early.splice(0)) if (this.state === 'live') this.handle(frame);
  }

  private handle(frame: TomlFrame): void {
    const id = frame.fields['id'];
    switch (frame.type) {
      case 'a':
        this.channel?.acknowledge(
          typeof id === 'object' ? '' : String(id),
          typeof frame.fields['cursor'] === 'number' ? frame.fields['cursor'] : undefined,
        );
        return;
      case 'm':
      case 'gm':
        void this.sendText(frame);
        return;
      case 'r':
        if (frame.fields['t'] === 'presence' && this.transport.signals.has('presence'))
          return this.setPresence(id, frame.fields['presence']);
        this.send(reply(id, { s: 1, r: 'Unknown request' }));
        return;
      default:
        this.send(reply(id, { s: 1, r: 'Unknown request' }));
    }
  }

  /** `[[r]] t = "presence" presence = "away"|"online"`, for a client that opted into presence: as `/v1/stream`'s presence frame. */
  private setPresence(id: TomlValue | undefined, presence: TomlValue | undefined): void {
    if (presence !== 'away' && presence !== 'online') return void this.send(reply(id, { s: 1, r: 'presence must be away or online' }));
    this.ctx.presence.beacon.setAway(this, presence === 'away');
    this.send(reply(id, { s: 0 }));
  }

  private async sendText(frame: TomlFrame): Promise<void> {
    const { id, c, t } = frame.fields;
    if (typeof id !== 'string' && typeof id !== 'number') return void this.send(reply(undefined, { s: 1, r: 'id Required' }));
    if (!this.bucket.take()) return void this.send(reply(id, { s: 1, r: 'Rate limited' }));
    if (typeof c !== 'string') return void this.send(reply(id, { s: 1, r: 'c Required' }));
    if (t !== undefined && t !== 'text') return void this.send(reply(id, { s: 1, r: 'Media is sent over HTTP' }));
    const target = frame.type === 'm' ? frame.fields['to'] : frame.fields['g_id'];
    if (typeof target !== 'number' || !Number.isSafeInteger(target)) {
      return void this.send(reply(id, { s: 1, r: `${frame.type === 'm' ? 'to' : 'g_id'} Required` }));
    }
    const sender = { userId: this.userId, device: this.device, sessionId: this.sessionId, address: this.transport.address };
    try {
      const position =
        frame.type === 'm'
          ? await this.ctx.texts.toPerson(sender, target, String(id), c, 'new_message')
          : await this.ctx.texts.toRoom(sender, target, String(id), c, 'new_message');
      if (this.state === 'live') this.send({ type: 'a', fields: { id, mid: position, cursor: position } });
    } catch (error) {
      // The reason in im's words, the same as over HTTP.
      const words = error instanceof CommandRefused ? IM_REFUSALS[error.code] : null;
      if (!words) this.ctx.log.error({ err: error }, 'im send failed');
      const reason = words?.reason ?? 'Internal Error';
      if (this.state === 'live') this.send(reply(id, { s: 1, r: reason }));
    }
  }
}
