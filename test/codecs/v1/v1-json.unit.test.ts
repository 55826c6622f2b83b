import { expect } from 'chai';
import { v1Message, v1Time, v1TimeOf, type V1MessageSource } from '../../../src/codecs/v1/v1-json.js';
import { seededRandom } from '../im/random.js';

/** What v1TimeOf must always answer: the instant parsed, then written as v1 writes times. */
const reference = (at: string): string => v1Time(new Date(at));

describe('v1 json', () => {
  describe('v1TimeOf', () => {
    it('answers what parsing and formatting would, for instants across the years', () => {
      const random = seededRandom(11);
      for (let i = 0; i < 5000; i++) {
        // From 1970 to ~2100, with milliseconds, so every day of every month comes up.
        const at = new Date(random.int(4_102_444_800) * 1000 + random.int(1000)).toISOString();
        expect(v1TimeOf(at), at).to.equal(reference(at));
      }
    });

    it('parses what is not in the canonical form rather than cutting it', () => {
      // A day some months lack (moved to March by Date), another zone, no milliseconds, a leap year.
      for (const at of [
        '2026-02-30T10:00:00.000Z',
        '2026-11-21T17:41:20.123+02:00',
        '2026-11-21T17:41:20Z',
        '2024-02-29T23:59:59.999Z',
        '2026-12-31T23:59:59.500Z',
      ]) {
        expect(v1TimeOf(at), at).to.equal(reference(at));
      }
      expect(v1TimeOf('2026-02-30T10:00:00.000Z')).to.equal('2026-03-02T10:00:00Z');
      expect(() => v1TimeOf('2026-11-21T23:59:60.000Z')).to.throw(RangeError);
    });
  });

  describe('v1Message', () => {
    const text: V1MessageSource = {
      _id: 7,
      room: 3,
      sender: 2,
      kind: 'text',
      text: 'hi "there"',
      mediaId: null,
      clientId: null,
      at: '2026-11-21T17:41:20.123Z',
    };

    it('writes the fields of a text message in the wire order, client_id only when given', () => {
      expect(JSON.stringify(v1Message(text))).to.equal(
        '{"id":7,"text":"hi \\"there\\"","user_id":2,"room_id":3,"created_at":"2026-11-21T17:41:20Z"}',
      );
      expect(JSON.stringify(v1Message({ ...text, clientId: 'c1' }))).to.equal(
        '{"id":7,"text":"hi \\"there\\"","user_id":2,"room_id":3,"created_at":"2026-11-21T17:41:20Z","client_id":"c1"}',
      );
    });

    it('gives a media message its url as text, then kind and url', () => {
      const media = { ...text, kind: 'image', text: null, mediaId: 'abc', clientId: 'c2' };
      expect(JSON.stringify(v1Message(media))).to.equal(
        '{"id":7,"text":"/v1/media/abc","user_id":2,"room_id":3,"created_at":"2026-11-21T17:41:20Z","client_id":"c2","kind":"image","url":"/v1/media/abc"}',
      );
    });
  });
});
