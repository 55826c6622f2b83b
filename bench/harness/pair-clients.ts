import type { TomlFrame } from '../../src/codecs/im/toml-frame.js';
import { mapBounded } from './bounded-pool.js';
import { nowMs } from './clock.js';
import { ErrorLog } from './error-log.js';
import { ImSocket } from './im-socket.js';
import type { PairConnect, PairEnd, PairStatus, PairTimes } from './pair-protocol.js';
import { ReceivedLedger } from './received-ledger.js';
import { SentLedger } from './sent-ledger.js';

export interface LocalSender {
  pair: number;
  socket: ImSocket;
  ledger: SentLedger;
}

interface LocalRecipient {
  pair: number;
  socket: ImSocket;
  ledger: ReceivedLedger;
}

/** What a benchmark does as frames arrive, once the ledgers have found them right. */
export interface PairHooks {
  /** A recipient got a message at `now`. */
  delivered?(now: number): void;
  /** A sender got its `[[a]]` at `now`. */
  acknowledged?(sender: LocalSender, now: number): void;
}

const CONNECT_CONCURRENCY = 50;
const DEVICE = 'bench';

/**
 * The pair ends one worker holds: senders whose recipients may be in another worker, and
 * recipients of senders that may be elsewhere. Every frame is checked against its ledger on
 * arrival and stamped with the shared clock; anything unexpected — a refusal, a frame of
 * another pair, a duplicate — lands in `errors`.
 */
export class PairClients {
  readonly errors = new ErrorLog();
  hooks: PairHooks = {};
  /** By pair index. */
  readonly senders = new Map<number, LocalSender>();
  private readonly recipients: LocalRecipient[] = [];

  /** Connects and logs in every end of the task, frames checked from the login on. */
  static async connect({ imUrl, senders, recipients }: PairConnect): Promise<PairClients> {
    const clients = new PairClients();
    const opens = [
      ...senders.map((end) => () => clients.addSender(imUrl, end)),
      ...recipients.map((end) => () => clients.addRecipient(imUrl, end)),
    ];
    await mapBounded(opens, CONNECT_CONCURRENCY, (open) => open());
    return clients;
  }

  /** One message from each sender here; null is the `warmUp` reply. */
  warmUp(): null {
    for (const sender of this.senders.values()) this.sendNext(sender);
    return null;
  }

  /** Sends the pair's next message. */
  sendNext(sender: LocalSender): void {
    const { id, text } = sender.ledger.send(nowMs());
    sender.socket.send('m', { id, c: text, to: sender.ledger.recipient });
  }

  status(): PairStatus {
    return {
      senders: [...this.senders.values()].map(({ pair, ledger }) => ({ pair, sent: ledger.sent, acknowledged: ledger.acknowledged })),
      recipients: this.recipients.map(({ pair, ledger }) => ({ pair, received: ledger.received, highest: ledger.highest })),
      errors: this.errors.snapshot,
    };
  }

  times(): PairTimes {
    return {
      senders: [...this.senders.values()].map(({ pair, ledger }) => ({ pair, ...ledger.stamps })),
      recipients: this.recipients.map(({ pair, ledger }) => ({ pair, receivedAt: ledger.receivedAt })),
    };
  }

  private async addSender(imUrl: string, end: PairEnd): Promise<void> {
    const socket = await ImSocket.open(imUrl);
    const sender: LocalSender = { pair: end.pair, socket, ledger: new SentLedger(end.user.id, end.peer, this.errors) };
    socket.onFrame = (frame) => this.onSenderFrame(sender, frame);
    await socket.login(end.user.id, end.user.token, DEVICE);
    this.senders.set(end.pair, sender);
  }

  private async addRecipient(imUrl: string, end: PairEnd): Promise<void> {
    const socket = await ImSocket.open(imUrl);
    const recipient: LocalRecipient = { pair: end.pair, socket, ledger: new ReceivedLedger(end.peer, end.user.id, this.errors) };
    socket.onFrame = (frame) => this.onRecipientFrame(recipient, frame);
    await socket.login(end.user.id, end.user.token, DEVICE);
    this.recipients.push(recipient);
  }

  private onRecipientFrame({ socket, ledger }: LocalRecipient, frame: TomlFrame): void {
    if (frame.type === 'm' && frame.fields['from'] === ledger.sender) {
      const now = nowMs();
      socket.ack(frame);
      if (ledger.receive(frame, now)) this.hooks.delivered?.(now);
    } else if (frame.type === 'n') {
      socket.ack(frame);
    } else {
      this.errors.add(`recipient ${ledger.recipient} got an unexpected frame: ${frame.type} ${JSON.stringify(frame.fields)}`);
    }
  }

  private onSenderFrame(sender: LocalSender, frame: TomlFrame): void {
    if (frame.type === 'a') {
      const now = nowMs();
      if (sender.ledger.acknowledge(frame, now)) this.hooks.acknowledged?.(sender, now);
    } else if (frame.type === 'n') {
      sender.socket.ack(frame);
    } else {
      this.errors.add(`sender ${sender.ledger.sender} got an unexpected frame: ${frame.type} ${JSON.stringify(frame.fields)}`);
    }
  }
}
