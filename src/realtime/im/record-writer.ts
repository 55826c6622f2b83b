import type { Socket } from 'node:net';

/** Plaintext bytes one TLS record carries at most: OpenSSL's default max_send_fragment (SSL3_RT_MAX_PLAIN_LENGTH). */
export const RECORD_BYTES = 16 * 1024;

interface Batch {
  frames: Buffer[];
  bytes: number;
  /** Still takes frames; closed by `flush` and once full. */
  open: boolean;
}

/**
 * Writes whole frames to a socket of the IM port so that no frame spans a TLS record: legacy
 * clients (simple_im's reference client, like the original server) parse each record they read
 * on its own, so a frame cut across two records is read as a truncated frame, then garbage.
 *
 * Frames are packed, in order, into batches of at most RECORD_BYTES, and each batch is one
 * socket.write of one buffer, the next only once the last one's callback ran. What Node does
 * with that (TLSSocket adds no write path of its own, lib/_tls_wrap.js: net.Socket's
 * _write/_writev call the TLSWrap handle; src/crypto/crypto_tls.cc TLSWrap::DoWrite):
 * - one buffer is one SSL_write, which OpenSSL cuts into records of 16384 bytes from its start,
 *   so a batch of at most 16384 bytes leaves as one record;
 * - several buffers (a corked socket's writev, or writes the stream queued while one was in
 *   flight) are concatenated into ONE SSL_write, and records are cut at 16384-byte offsets of
 *   that, through frames: hence no cork and never more than one write in flight;
 * - a TLS write completes in a later setImmediate at the earliest (EncOut), so a write made
 *   before the last one's callback would be queued and joined to the next ones.
 * A frame longer than RECORD_BYTES is a batch of its own, whole in one write: it necessarily
 * spans records (as it did with the original server), but the records around it do not.
 * Over plain TCP (ESCHAT_TLS=off) there are no records; the same whole-frame writes are made.
 *
 * The frames a tick writes are batched together (written at process.nextTick, as tick-cork
 * does), so a burst costs one write per 16 KiB, not one per frame.
 */
export class RecordWriter {
  private readonly batches: Batch[] = [];
  private queuedBytes = 0;
  private writing = false;
  private scheduled = false;
  private ending = false;

  constructor(private readonly socket: Socket) {}

  /** Queues one whole frame. */
  write(frame: Buffer): void {
    if (this.ending || this.socket.destroyed) return;
    const last = this.batches.at(-1);
    if (last?.open && last.bytes + frame.length <= RECORD_BYTES) {
      last.frames.push(frame);
      last.bytes += frame.length;
    } else {
      if (last) last.open = false;
      this.batches.push({ frames: [frame], bytes: frame.length, open: true });
    }
    this.queuedBytes += frame.length;
    if (!this.writing && !this.scheduled) {
      this.scheduled = true;
      process.nextTick(() => {
        this.scheduled = false;
        this.next();
      });
    }
  }

  /** Sends what was written so far in writes of its own, ahead of what is written next. */
  flush(): void {
    const last = this.batches.at(-1);
    if (last) last.open = false;
    this.next();
  }

  /** Ends the socket once every queued frame is written. */
  end(): void {
    this.ending = true;
    if (!this.writing && this.batches.length === 0) this.socket.end();
  }

  /** Bytes queued here or written but not yet taken by the kernel. */
  buffered(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

  private next(): void {
    if (this.writing || this.socket.destroyed) return;
    const batch = this.batches.shift();
    if (!batch) {
      if (this.ending) this.socket.end();
      return;
    }
    this.queuedBytes -= batch.bytes;
    this.writing = true;
    this.socket.write(batch.frames.length === 1 ? batch.frames[0]! : Buffer.concat(batch.frames, batch.bytes), (error) => {
      this.writing = false;
      if (!error) this.next();
    });
  }
}
