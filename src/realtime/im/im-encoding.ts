import type { TomlFrame } from '../../codecs/im/toml-frame.js';
import { writeDocument, writeFrameLine } from '../../codecs/im/toml-writer.js';
import type { EncodedDelivery } from '../delivery/delivery-channel.js';
import type { Delivery } from '../delivery/delivery.js';
import { ackIdOf, imFrame, imFrameWithEdits } from './im-frames.js';

/**
 * How one kind of im transport puts a frame into bytes. A delivery's frame is the same for
 * every device it goes to (nothing in it is per recipient: `id`, `cursor` and `to` are the
 * event's), so it is encoded once per encoding and the same bytes are written to each: a
 * message to a group of 1,000 is written by TOML once, not 1,000 times.
 */
export class ImEncoding {
  private readonly deliveries = new WeakMap<Delivery, EncodedDelivery<Buffer> | null>();

  constructor(
    private readonly text: (frame: TomlFrame) => string,
    /** What a delivery is as a frame: legacy clients get imFrame, nothing they do not know. */
    private readonly frameOf: (delivery: Delivery) => TomlFrame | null = imFrame,
  ) {}

  encode(frame: TomlFrame): Buffer {
    return Buffer.from(this.text(frame));
  }

  /**
   * The delivery's frame and the id it is acknowledged with; null when im clients have no frame
   * for it. Bound once per encoding: every connection's channel is handed this same function.
   */
  readonly delivery = (delivery: Delivery): EncodedDelivery<Buffer> | null => {
    let encoded = this.deliveries.get(delivery);
    if (encoded === undefined) {
      const frame = this.frameOf(delivery);
      encoded = frame ? { payload: this.encode(frame), ackId: ackIdOf(frame) } : null;
      this.deliveries.set(delivery, encoded);
    }
    return encoded;
  };
}

/** WebSocket `/im`: one TOML document per message. */
export const documentEncoding = new ImEncoding((frame) => writeDocument([frame]));

/** WebSocket `/im?features=edits`: the same, with the edits and deletions of messages. */
export const editsDocumentEncoding = new ImEncoding((frame) => writeDocument([frame]), imFrameWithEdits);

/** The IM port: one frame per line. */
export const lineEncoding = new ImEncoding((frame) => `${writeFrameLine(frame)}\n`);
