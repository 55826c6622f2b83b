import { expect } from 'chai';
import { WrongExpectedVersionError } from '../../src/store/ports/event-store.js';
import { InstrumentedEventStore, type AppendOutcome } from '../../src/store/instrumented-event-store.js';
import { meta, tempEventStore } from '../support/stores.js';

describe('InstrumentedEventStore', () => {
  it('reports each append with its outcome, event count and time, and passes everything through', async () => {
    const reported: Array<{ outcome: AppendOutcome; events: number; seconds: number }> = [];
    const store = new InstrumentedEventStore(await tempEventStore(), {
      appended: (outcome, events, seconds) => reported.push({ outcome, events, seconds }),
    });
    const event = { type: 'Happened', data: { n: 1 }, metadata: meta };
    const appended = await store.append('thing-1', [event, event], { expectedRevision: 'no_stream' });
    const conflict = await store.append('thing-1', [event], { expectedRevision: 'no_stream' }).catch((error: unknown) => error);
    expect(conflict).to.be.instanceOf(WrongExpectedVersionError);
    expect(reported.map(({ outcome, events }) => ({ outcome, events }))).to.deep.equal([
      { outcome: 'ok', events: 2 },
      { outcome: 'conflict', events: 1 },
    ]);
    for (const { seconds } of reported) expect(seconds).to.be.within(0, 5);
    expect(appended).to.deep.equal({ nextRevision: 1, position: 2 });
    expect((await store.readStream('thing-1')).map((recorded) => recorded.revision)).to.deep.equal([0, 1]);
    expect(await store.headPosition()).to.equal(2);
    await store.close();
  });
});
