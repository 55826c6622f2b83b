import { expect } from 'chai';
import { readFrames } from '../../../src/codecs/im/toml-reader.js';
import type { MessageDelivery, NotificationDelivery } from '../../../src/realtime/delivery/delivery.js';
import { documentEncoding, lineEncoding } from '../../../src/realtime/im/im-encoding.js';
import { RoutingState } from '../../../src/projections/routing-state.js';

const at = '2026-01-01T00:00:00.000Z';

function groupMessage(position: number): MessageDelivery {
  return {
    kind: 'message',
    position,
    at,
    origin: { user: 1, device: 'phone', session: null },
    message: { _id: position, room: 5, sender: 1, device: 'phone', kind: 'text', text: 'say "hi"', mediaId: null, clientId: 'a_01', at },
  };
}

describe('ImEncoding', function () {
  const routing = new RoutingState();
  routing.apply({
    id: 'e1',
    stream: 'room-5',
    revision: 0,
    position: 1,
    type: 'RoomCreated',
    data: { roomId: 5, name: 'g', creator: 1, key: 'k', kind: 'group', members: [1, 2, 3] },
    metadata: { correlationId: 'c', at },
    created: 0,
  });

  it('encodes a delivery once: every connection writes the very same bytes', function () {
    const delivery = groupMessage(7);
    const first = documentEncoding.delivery(delivery, routing);
    expect(documentEncoding.delivery(delivery, routing)).to.equal(first);
    expect(first?.ackId).to.equal('a_01');
    expect(readFrames(first!.payload.toString())).to.deep.equal([
      {
        type: 'gm',
        fields: { id: 'a_01', t: 'text', c: 'say "hi"', g_id: 5, from: 1, d: 'phone', ts: Date.parse(at) / 1000, mid: 7, cursor: 7 },
      },
    ]);
    expect(documentEncoding.delivery(groupMessage(7), routing), 'another delivery is encoded afresh').to.not.equal(first);
  });

  it('keeps each transport its own shape: a document per WebSocket message, a line on the IM port', function () {
    const delivery = groupMessage(8);
    const document = documentEncoding.delivery(delivery, routing)!.payload.toString();
    const line = lineEncoding.delivery(delivery, routing)!.payload.toString();
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
    expect(documentEncoding.delivery(declined, routing)).to.equal(null);
    expect(documentEncoding.delivery(declined, routing)).to.equal(null);
  });
});
