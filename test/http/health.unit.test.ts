import { expect } from 'chai';
import { CatchUp, checkHealth, type HealthSources } from '../../src/http/health.js';
import type { ProjectionStatus } from '../../src/projections/runner.js';

const live = (name: string, position: number, head: number): ProjectionStatus => ({
  name,
  version: 1,
  generation: 1,
  position,
  head,
  lag: head - position,
  state: 'live',
});

/** Every part answering, the read side at `applied` with the head at `head`. */
function sources(head: number, applied: number, overrides: Partial<HealthSources> = {}): HealthSources {
  return {
    store: { headPosition: async () => head },
    readStore: { listCollections: async () => ['users.users.g1'] },
    projections: {
      status: async () => [live('users', applied, head), live('rooms', applied, head)],
      waitFor: async (position) => applied >= position,
      position: applied,
    },
    connections: () => 2,
    liveFeed: { feed: { state: { state: 'live' } }, deadAfterMs: 60_000 },
    catchUp: new CatchUp(),
    ...overrides,
  };
}

describe('checkHealth', () => {
  it('is ready when the stores answer and every projection has reached the head', async () => {
    const report = await checkHealth(sources(42, 42));
    expect(report).to.deep.include({
      status: 'ready',
      event_store: { ok: true, head: 42 },
      read_store: { ok: true },
      realtime: { connections: 2 },
    });
    expect(report.projections).to.deep.include({ ok: true, caught_up: true });
    expect(report.projections.list).to.deep.equal([
      { name: 'users', state: 'live', position: 42, lag: 0 },
      { name: 'rooms', state: 'live', position: 42, lag: 0 },
    ]);
  });

  it('is starting while the read models are behind the head, with the lag of each', async () => {
    const report = await checkHealth(sources(42, 30));
    expect(report.status).to.equal('starting');
    expect(report.projections.caught_up).to.equal(false);
    expect(report.projections.list.map((projection) => projection.lag)).to.deep.equal([12, 12]);
  });

  it('is degraded when the event store does not answer', async () => {
    const down = sources(42, 42, { store: { headPosition: () => Promise.reject(new Error('connection refused')) } });
    const report = await checkHealth(down);
    expect(report.status).to.equal('degraded');
    expect(report.event_store).to.deep.equal({ ok: false, error: 'connection refused' });
  });

  it('is degraded when the read store does not answer in time, without waiting for it', async function () {
    this.timeout(5000);
    const hung = sources(42, 42, { readStore: { listCollections: () => new Promise<string[]>(() => undefined) } });
    const started = Date.now();
    const report = await checkHealth(hung);
    expect(Date.now() - started).to.be.below(3000);
    expect(report.status).to.equal('degraded');
    expect(report.read_store.ok).to.equal(false);
    expect(report.read_store.error).to.match(/no answer within/);
  });

  it('is degraded when a projection stopped on an error, naming it', async () => {
    const failed = sources(42, 42, {
      projections: {
        status: async () => [live('users', 42, 42), { ...live('rooms', 40, 42), state: 'failed', error: 'boom' }],
        waitFor: async () => true,
        position: 42,
      },
    });
    const report = await checkHealth(failed);
    expect(report.status).to.equal('degraded');
    expect(report.projections).to.deep.include({ ok: false, error: 'failed: rooms' });
  });

  it('is degraded when a newer version of a projection is live, naming it', async () => {
    const superseded = sources(42, 42, {
      projections: {
        status: async () => [live('users', 42, 42), { ...live('rooms', 40, 42), state: 'superseded', error: 'version 2 is live' }],
        waitFor: async () => true,
        position: 42,
      },
    });
    const report = await checkHealth(superseded);
    expect(report.status).to.equal('degraded');
    expect(report.projections).to.deep.include({ ok: false, error: 'superseded by a newer version: rooms' });
  });
});

describe('CatchUp', () => {
  it('is not ready before the read side has once caught up, however it moves', () => {
    const catchUp = new CatchUp(30_000);
    expect(catchUp.ready(false, 10, 0)).to.equal(false);
    expect(catchUp.ready(false, 20, 1000)).to.equal(false);
    expect(catchUp.ready(true, 30, 2000)).to.equal(true);
  });

  it('stays ready under a shared slowdown: behind but applying, or behind for less than the grace', () => {
    const catchUp = new CatchUp(30_000);
    expect(catchUp.ready(true, 100, 0)).to.equal(true);
    expect(catchUp.ready(false, 100, 10_000), 'behind, within the grace').to.equal(true);
    expect(catchUp.ready(false, 150, 35_000), 'behind past the grace, but applying').to.equal(true);
    expect(catchUp.ready(false, 160, 60_000), 'still applying').to.equal(true);
  });

  it('is not ready once behind without moving for the grace, and ready again when caught up', () => {
    const catchUp = new CatchUp(30_000);
    expect(catchUp.ready(true, 100, 0)).to.equal(true);
    expect(catchUp.ready(false, 120, 5_000)).to.equal(true);
    expect(catchUp.ready(false, 120, 20_000)).to.equal(true);
    expect(catchUp.ready(false, 120, 35_001), 'stuck for 30 s').to.equal(false);
    expect(catchUp.ready(true, 200, 36_000)).to.equal(true);
  });

  it('keeps a check ready when the read side is behind by a moment after having been caught up (not "within 1 s")', async () => {
    const catchUp = new CatchUp();
    expect((await checkHealth({ ...sources(42, 42), catchUp })).status).to.equal('ready');
    const slow = await checkHealth({ ...sources(50, 45), catchUp });
    expect(slow.projections.caught_up).to.equal(false);
    expect(slow.status).to.equal('ready');
  });
});
