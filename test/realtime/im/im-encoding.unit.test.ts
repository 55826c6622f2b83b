import { expect } from 'chai';
import { readFrames } from '../../../src/codecs/im/toml-reader.js';
import type { MessageDelivery, NotificationDelivery } from '../../../src/realtime/delivery/delivery.js';
import { documentEncoding, lineEncoding } from '../../../src/realtime/im/im-encoding.js';

const at = '2026-01-01T00:00:00.000Z';

function groupMessage(position: number): MessageDelivery {
  return {
    kind: 'message',
    position,
    at,
    origin: { user: 1, device: 'phone', session: null },
    message: { _id: position, room: 5, sender: 1, device: 'phone', kind: 'text', text: 'say "hi"', mediaId: null, clientId: 'a_01', at },
    route: { kind: 'group', members: new Set([1, 2, 3]) },
  };
}

describe('ImEncoding', function () {
  it('encodes a delivery once: every connection writes the very same bytes', function () {
    const delivery = groupMessage(7);
    const first = documentEncoding.delivery(delivery);
    expect(documentEncoding.delivery(delivery)).to.equal(first);
    expect(first?.ackId).to.equal('a_01');
    expect(readFrames(first!.payload.toString())).to.deep.equal([
      {
        type: 'gm',
        fields: { id: 'a_01', t: 'text', c: 'say "hi"', g_id: 5, from: 1, d: 'phone', ts: Date.parse(at) / 1000, mid: 7, cursor: 7 },
      },
    ]);
    expect(documentEncoding.delivery(groupMessage(7)), 'another delivery is encoded afresh').to.not.equal(first);
  });

  it('keeps each transport its own shape: a document per WebSocket message, a line on the IM port', function () {
    const delivery = groupMessage(8);
    const document = documentEncoding.delivery(delivery)!.payload.toString();
    const line = lineEncoding.delivery(delivery)!.payload.toString();
    expect(document.split('\n').length).to.be.greaterThan(3);
    expect(line.indexOf('\n')).to.equal(line.length - 1);
    expect(readFrames(line)).to.deep.equal(readFrames(document));
  });

  it('remembers that im clients have no frame for a delivery', function () {
    const declined: NotificationDelivery = {
      kind: 'notification',
      position: 9,
      at,
      origin: { user: 2, device: null, session: null },
      type: 'ContactDeclined',
      data: { by: 2, requester: 1 },
    };
    expect(documentEncoding.delivery(declined)).to.equal(null);
    expect(documentEncoding.delivery(declined)).to.equal(null);
  });
});
