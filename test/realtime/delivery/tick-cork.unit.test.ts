import { expect } from 'chai';
import { Writable } from 'node:stream';
import { corkForTick, uncorkNow } from '../../../src/realtime/delivery/tick-cork.js';

/** A stream that records each write call it gets, with the chunks in it. */
function recorder(): { stream: Writable; calls: string[][] } {
  const calls: string[][] = [];
  const stream = new Writable({
    writev(chunks, callback) {
      calls.push(chunks.map(({ chunk }) => String(chunk)));
      callback();
    },
    write(chunk, _encoding, callback) {
      calls.push([String(chunk)]);
      callback();
    },
  });
  return { stream, calls };
}

const write = (stream: Writable, text: string) => {
  corkForTick(stream);
  stream.write(text);
};

describe('corkForTick', function () {
  it('sends what one callback wrote to a socket in one write call, once it is done', async function () {
    const a = recorder();
    const b = recorder();
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        write(a.stream, '1');
        write(b.stream, 'x');
        write(a.stream, '2');
        expect(a.calls).to.deep.equal([]);
        resolve();
      }),
    );
    expect(a.calls).to.deep.equal([['1', '2']]);
    expect(b.calls).to.deep.equal([['x']]);
  });

  it('gathers the writes of promise callbacks that run one after another', async function () {
    const a = recorder();
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const resumed = Promise.resolve();
        void resumed.then(() => write(a.stream, '1'));
        void resumed.then(() => write(a.stream, '2')).then(() => write(a.stream, '3'));
        void resumed.then(() => expect(a.calls).to.deep.equal([]));
        setImmediate(resolve);
      }),
    );
    expect(a.calls).to.deep.equal([['1', '2', '3']]);
  });

  it('lets one socket go ahead now, and corks it afresh for what follows', async function () {
    const a = recorder();
    write(a.stream, 'answer');
    uncorkNow(a.stream);
    write(a.stream, 'then');
    write(a.stream, 'more');
    expect(a.calls).to.deep.equal([['answer']]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.calls).to.deep.equal([['answer'], ['then', 'more']]);
  });
});
