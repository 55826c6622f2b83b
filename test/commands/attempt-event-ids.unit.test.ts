import { expect } from 'chai';
import { attemptEventIds } from '../../src/commands/attempt-event-ids.js';

describe('attemptEventIds', () => {
  it('gives the same UUIDs (version 5) for the same attempt, and others for any other', () => {
    const ids = attemptEventIds('corr-1', 'user-1', 3, 2);
    expect(ids).to.deep.equal(attemptEventIds('corr-1', 'user-1', 3, 2));
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).to.equal(2);
    const others = [
      attemptEventIds('corr-2', 'user-1', 3, 2),
      attemptEventIds('corr-1', 'user-2', 3, 2),
      attemptEventIds('corr-1', 'user-1', 4, 2),
      attemptEventIds('corr-1', 'user-1', 'no_stream', 2),
    ].flat();
    for (const id of ids) expect(others).not.to.include(id);
  });
});
