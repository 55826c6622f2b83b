import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { FrameSplitter, type FrameSplitterOptions } from '../../../src/codecs/im/frame-splitter.js';
import type { TomlFrame } from '../../../src/codecs/im/toml-reader.js';
import { seededRandom } from './random.js';

type Event = TomlFrame | { error: string };

interface Harness {
  splitter: FrameSplitter;
  /** Frames and errors in the order the callbacks saw them. */
  events: Event[];
  /** How many times onFrames ran. */
  batches: () => number;
  push: (data: string | Buffer) => void;
}

function harness(options: Partial<FrameSplitterOptions> = {}): Harness {
  const events: Event[] = [];
  let batches = 0;
  const splitter = new FrameSplitter(
    (frames) => {
      batches++;
      expect(frames).to.have.length.above(0);
      events.push(...frames);
    },
    (reason) => events.push({ error: reason }),
    { maxBufferBytes: 64 * 1024, idleFlushMs: 10, ...options },
  );
  const push = (data: string | Buffer): void => splitter.push(typeof data === 'string' ? Buffer.from(data) : data);
  return { splitter, events, batches: () => batches, push };
}

const m = (id: string, more: Record<string, TomlFrame['fields'][string]> = {}): TomlFrame => ({ type: 'm', fields: { id, ...more } });

describe('FrameSplitter', () => {
  it('delivers the frames of one chunk in one call, in order', () => {
    const h = harness();
    h.push('[[m]] id = "1" to = 2\n[[a]] id = "2" d = "android"\n[[m]] id = "3" [[m]] id = "4"\n');
    expect(h.events).to.deep.equal([m('1', { to: 2 }), { type: 'a', fields: { id: '2', d: 'android' } }, m('3'), m('4')]);
    expect(h.batches()).to.equal(1);
  });

  describe('a stream split at every byte offset', () => {
    const text =
      '[[r]] id = "a_01" t = "login" [r.user] id = 1 d = "android" token = "3vPjUabByvMwBFR9tIeP0bDec4INGQ/T"\n' +
      '[[m]] id = "a_02" c = "😀 大傻 [[m]] \\"q\\" \\\\" to = 2\r\n' +
      '[[gm]] id = \'a_03\' c = "👍🏽" g_id = 9 [[a]] id = "x"\n';
    const expected: TomlFrame[] = [
      { type: 'r', fields: { id: 'a_01', t: 'login', user: { id: 1, d: 'android', token: '3vPjUabByvMwBFR9tIeP0bDec4INGQ/T' } } },
      m('a_02', { c: '😀 大傻 [[m]] "q" \\', to: 2 }),
      { type: 'gm', fields: { id: 'a_03', c: '👍🏽', g_id: 9 } },
      { type: 'a', fields: { id: 'x' } },
    ];
    const bytes = Buffer.from(text);

    it('reads the same frames for every cut into two chunks, even inside a 4-byte emoji', () => {
      const emoji = bytes.indexOf(Buffer.from('😀'));
      expect(emoji).to.be.above(0);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const h = harness();
        h.push(bytes.subarray(0, cut));
        h.push(bytes.subarray(cut));
        expect(h.events, `cut at byte ${cut}`).to.deep.equal(expected);
      }
    });

    it('reads the same frames when every byte is its own chunk', () => {
      const h = harness();
      for (let i = 0; i < bytes.length; i++) h.push(bytes.subarray(i, i + 1));
      expect(h.events).to.deep.equal(expected);
    });

    it('reads the same frames without the final newline when the stream ends', () => {
      const withoutNewline = bytes.subarray(0, bytes.length - 1);
      for (let cut = 0; cut <= withoutNewline.length; cut += 7) {
        const h = harness();
        h.push(withoutNewline.subarray(0, cut));
        h.push(withoutNewline.subarray(cut));
        h.splitter.end();
        expect(h.events, `cut at byte ${cut}`).to.deep.equal(expected);
      }
    });
  });

  it('delivers a last frame without newline after idleFlushMs, not before', async () => {
    const h = harness({ idleFlushMs: 10 });
    const timersBefore = process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    h.push('[[m]] id = "1" c = "no newline"');
    expect(h.events).to.deep.equal([]);
    // The idle timer is unref()ed: a half-received frame does not keep the process alive.
    expect(process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout')).to.have.length(timersBefore);
    await delay(40);
    expect(h.events).to.deep.equal([m('1', { c: 'no newline' })]);
  });

  it('does not cut a frame whose chunks arrive close together', async () => {
    // Generous margins: a busy CI machine may stall the event loop for tens of milliseconds.
    const h = harness({ idleFlushMs: 250 });
    h.push('[[m]] id = "1" c = "first half, ');
    await delay(10);
    h.push('second half" to = 2');
    await delay(10);
    expect(h.events).to.deep.equal([]);
    await delay(500);
    expect(h.events).to.deep.equal([m('1', { c: 'first half, second half', to: 2 })]);
  });

  it('ends a multi-line frame at the next header, or when the stream goes idle', async () => {
    const h = harness();
    h.push('[[n]]\nt="delete_contact"\nfrom=1\n');
    expect(h.events).to.deep.equal([]);
    h.push('to=2\nts = 1448185739\n[[m]] id = "x"\n');
    expect(h.events).to.deep.equal([{ type: 'n', fields: { t: 'delete_contact', from: 1, to: 2, ts: 1448185739 } }, m('x')]);
    h.push('[[n]]\nt="delete_group"\ng_id = 1\n');
    await delay(40);
    expect(h.events.slice(2)).to.deep.equal([{ type: 'n', fields: { t: 'delete_group', g_id: 1 } }]);
  });

  it('does not treat [[ inside strings or array values, or [[name.sub]] tables, as a new frame', () => {
    const h = harness();
    h.push('[[m]] a = [[1], [2]] c = "x [[m]] y" d = \'[[\'\n[[r]]\n[[r.items]]\nn = 1\n[[a]] id = "z"\n');
    expect(h.events).to.deep.equal([
      { type: 'm', fields: { a: [[1], [2]], c: 'x [[m]] y', d: '[[' } },
      { type: 'r', fields: { items: [{ n: 1 }] } },
      { type: 'a', fields: { id: 'z' } },
    ]);
  });

  it('ignores blank lines, comments, a BOM and CRLF between frames', () => {
    const h = harness();
    h.push('\uFEFF\r\n\n# a comment\n  [[m]] id = "1"\r\n\r\n[[m]] id = "2" # trailing\r\n');
    expect(h.events).to.deep.equal([m('1'), m('2')]);
  });

  it('reports a malformed frame with its reason and keeps reading the next ones', () => {
    const h = harness();
    h.push('[[m]] id = "1"\n[[m]] id = \n[[m]] id = "3" [[m]] to 2 [[m]] id = "5"\nhello\n[[m]] id = "6"\n');
    expect(h.events).to.deep.equal([
      m('1'),
      { error: 'unexpected end of input, expected a value for key "id"' },
      m('3'),
      { error: `expected '=' after key "to"` },
      m('5'),
      { error: 'key "hello" before the first [[table]]' },
      m('6'),
    ]);
  });

  it('ends a line whose quotes do not balance at its newline, and reads the next line as the next frame', () => {
    const h = harness();
    // A single-line string cannot span lines: the one left open by `"hi"` ends with the line.
    h.push('[[m]] c = "he said "hi" there\n[[m]] id = "ok"\n');
    expect(h.events).to.have.length(2);
    expect(h.events[0]).to.have.property('error').that.is.a('string');
    expect(h.events[1]).to.deep.equal(m('ok'));
  });

  describe('maxBufferBytes', () => {
    it('refuses an oversize frame once and recovers at the next newline', () => {
      const h = harness({ maxBufferBytes: 64 });
      h.push(`[[m]] c = "${'a'.repeat(200)}" to = 2\n[[m]] id = "ok"\n`);
      expect(h.events).to.deep.equal([{ error: 'frame too large' }, m('ok')]);
    });

    it('refuses an oversize frame arriving in small chunks and recovers at the next header', () => {
      const h = harness({ maxBufferBytes: 64 });
      const bytes = Buffer.from(`[[m]] c = "${'a'.repeat(200)}" [[m]] id = "ok"\n`);
      for (let i = 0; i < bytes.length; i += 5) h.push(bytes.subarray(i, i + 5));
      expect(h.events).to.deep.equal([{ error: 'frame too large' }, m('ok')]);
    });

    it('counts UTF-8 bytes, not characters', () => {
      const h = harness({ maxBufferBytes: 100 });
      h.push(`[[m]] c = "${'a'.repeat(80)}"\n`);
      h.push(`[[m]] c = "${'大'.repeat(30)}"\n`);
      expect(h.events).to.deep.equal([{ type: 'm', fields: { c: 'a'.repeat(80) } }, { error: 'frame too large' }]);
    });

    it('limits a multi-line frame that never ends, and drops the text it refused', () => {
      const h = harness({ maxBufferBytes: 200 });
      h.push('[[n]]\n');
      for (let i = 0; i < 100; i++) h.push(`k${i} = ${i}\n`);
      expect(h.events).to.deep.equal([{ error: 'frame too large' }]);
      h.push('[[m]] id = "ok"\n');
      expect(h.events.slice(1)).to.deep.equal([m('ok')]);
    });
  });

  it('close() drops what is pending, clears the timer and ignores later data', async () => {
    const h = harness();
    h.push('[[m]] id = "1"');
    h.splitter.close();
    await delay(30);
    h.push('[[m]] id = "2"\n');
    expect(h.events).to.deep.equal([]);
  });

  it('end() parses a last frame without newline at once, then ignores later data', () => {
    const h = harness({ idleFlushMs: 10_000 });
    h.push('[[m]] id = "1"\n[[m]] id = "2"');
    expect(h.events).to.deep.equal([m('1')]);
    h.splitter.end();
    expect(h.events).to.deep.equal([m('1'), m('2')]);
    h.push('[[m]] id = "3"\n');
    expect(h.events).to.have.length(2);
  });

  it('stops delivering when a callback closes it', () => {
    const seen: string[] = [];
    const splitter: FrameSplitter = new FrameSplitter(
      (frames) => seen.push(...frames.map((frame) => String(frame.fields.id))),
      (reason) => {
        seen.push(reason);
        splitter.close();
      },
      { maxBufferBytes: 1024 },
    );
    splitter.push(Buffer.from('[[m]] id = "1"\n[[m]] id\n[[m]] id = "3"\n'));
    expect(seen).to.deep.equal(['1', `expected '=' after key "id"`]);
  });

  it('never throws on random bytes, and reports only string reasons', () => {
    const random = seededRandom(7);
    const pieces = ['[[m]] ', 'id = "x" ', '"', '[[', '\n', '😀', '\\', "'", '[', ']', '=', '{', '#', 'a'];
    for (let round = 0; round < 300; round++) {
      const h = harness({ maxBufferBytes: 256 });
      for (let chunk = 0; chunk < 20; chunk++) {
        if (random.int(3) === 0) {
          h.push(Buffer.from(Array.from({ length: random.int(16) }, () => random.int(256))));
        } else {
          h.push(Array.from({ length: random.int(6) }, () => random.pick(pieces)).join(''));
        }
      }
      h.splitter.end();
      for (const event of h.events) {
        if ('error' in event) expect(event.error).to.be.a('string').and.not.equal('');
        else expect(event.type).to.be.a('string');
      }
    }
  });
});
