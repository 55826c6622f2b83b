import type { TomlFrame } from '../../src/codecs/im/toml-frame.js';
import { mapBounded } from './bounded-pool.js';
import { nowMs } from './clock.js';
import { ErrorLog } from './error-log.js';
import type { FanoutConnect, RoundReport, SendReport } from './fanout-protocol.js';
import { ImSocket } from './im-socket.js';
import type { BenchUser } from './population.js';
import { waitUntil } from './wait-until.js';

const CONNECT_CONCURRENCY = 50;
const DEVICE = 'bench';
/** Longest wait for a round or an `[[a]]`; a miss fails the benchmark. */
const TIMEOUT_MS = 10_000;
/**
 * How often a waiting request looks again. Receipts are stamped as they arrive, so this only
 * delays the report (and so the next message), not the figure.
 */
const POLL_MS = 2;

/** Message `seq` as the members here received it. */
interface Round {
  received: Set<number>;
  lastAt: number;
}

const textOf = (seq: number): string => `fanout ${seq}`;

/**
 * The group members one worker holds (and the creator, in one of them). Each member checks
 * every `[[gm]]` on arrival — the right group, sender, text, a message of this run — and
 * stamps it on the shared clock, to be compared with the creator's send stamp wherever the
 * creator is. Each member must get each message exactly once.
 */
export class FanoutClients {
  private readonly errors = new ErrorLog();
  private readonly rounds = new Map<number, Round>();
  private readonly acknowledged = new Set<number>();
  private sender: ImSocket | null = null;
  private sent = 0;

  private constructor(private readonly task: FanoutConnect) {}

  static async connect(task: FanoutConnect): Promise<FanoutClients> {
    const clients = new FanoutClients(task);
    await mapBounded(task.members, CONNECT_CONCURRENCY, (member) => clients.addMember(member));
    if (task.sends) clients.sender = await clients.login(task.creator, (socket, frame) => clients.onSenderFrame(socket, frame));
    return clients;
  }

  async round(seq: number): Promise<RoundReport> {
    const round = this.roundOf(seq);
    await waitUntil(() => this.errors.count > 0 || round.received.size === this.task.members.length, TIMEOUT_MS, POLL_MS);
    return { received: round.received.size, lastAt: round.lastAt, errors: this.errors.snapshot };
  }

  async send(seq: number): Promise<SendReport> {
    if (!this.sender || seq !== this.sent) throw new Error(`cannot send message ${seq} here`);
    this.sent += 1;
    const sentAt = nowMs();
    this.sender.send('gm', { id: String(seq), c: textOf(seq), g_id: this.task.groupId });
    await waitUntil(() => this.errors.count > 0 || this.acknowledged.has(seq), TIMEOUT_MS, POLL_MS);
    return { sentAt, acknowledged: this.acknowledged.has(seq), errors: this.errors.snapshot };
  }

  private async addMember(member: BenchUser): Promise<void> {
    await this.login(member, (socket, frame) => this.onMemberFrame(socket, member.id, frame));
  }

  private async login(user: BenchUser, onFrame: (socket: ImSocket, frame: TomlFrame) => void): Promise<ImSocket> {
    const socket = await ImSocket.open(this.task.imUrl);
    socket.onFrame = (frame) => onFrame(socket, frame);
    await socket.login(user.id, user.token, DEVICE);
    return socket;
  }

  private onMemberFrame(socket: ImSocket, member: number, frame: TomlFrame): void {
    const now = nowMs();
    socket.ack(frame);
    // The group's creation is replayed at login as a notification: acknowledged, not counted.
    if (frame.type === 'n') return;
    const { id, c, g_id: groupId, from } = frame.fields;
    const seq = Number(id);
    if (
      frame.type !== 'gm' ||
      !Number.isInteger(seq) ||
      seq < 0 ||
      seq >= this.task.messages ||
      c !== textOf(seq) ||
      groupId !== this.task.groupId ||
      from !== this.task.creator.id
    ) {
      this.errors.add(`member ${member} got an unexpected frame: ${frame.type} ${JSON.stringify(frame.fields)}`);
      return;
    }
    const round = this.roundOf(seq);
    if (round.received.has(member)) return this.errors.add(`member ${member} got message ${seq} twice`);
    round.received.add(member);
    round.lastAt = Math.max(round.lastAt, now);
  }

  private onSenderFrame(socket: ImSocket, frame: TomlFrame): void {
    if (frame.type === 'n') return socket.ack(frame);
    const seq = Number(frame.fields['id']);
    if (frame.type === 'a' && Number.isInteger(seq) && seq >= 0 && seq < this.sent && !this.acknowledged.has(seq))
      this.acknowledged.add(seq);
    else this.errors.add(`the sender got an unexpected frame: ${frame.type} ${JSON.stringify(frame.fields)}`);
  }

  /** A round's state, whichever comes first: the parent's request or the first receipt. */
  private roundOf(seq: number): Round {
    let round = this.rounds.get(seq);
    if (!round) this.rounds.set(seq, (round = { received: new Set(), lastAt: 0 }));
    return round;
  }
}
