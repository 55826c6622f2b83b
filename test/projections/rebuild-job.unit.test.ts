import { expect } from 'chai';
import type { ProjectionControl } from '../../src/projections/projection-control.js';
import { RebuildJob, RebuildRefused } from '../../src/projections/rebuild-job.js';
import type { ProjectionStatus } from '../../src/projections/runner.js';

/** A control whose rebuilds wait until the test lets them go. */
function gatedControl(names: string[]) {
  const rebuilt: string[] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const control: ProjectionControl = {
    status: async () => names.map((name) => ({ name }) as ProjectionStatus),
    async rebuild(name, onProgress) {
      await gate;
      if (name === 'broken') throw new Error('projection broke');
      onProgress?.(10, 10);
      rebuilt.push(name!);
    },
  };
  return {
    control,
    rebuilt,
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('RebuildJob', () => {
  it('runs one rebuild at a time in the background, one projection after another, and reports how it went', async () => {
    const { control, rebuilt, open } = gatedControl(['users', 'rooms']);
    const job = new RebuildJob(control);
    expect(job.state).to.equal(null);
    const started = await job.start();
    expect(started).to.include({ current: 'users', finishedAt: null, error: null });
    expect(started.projections).to.deep.equal(['users', 'rooms']);
    await settle();
    expect(job.state).to.include({ current: 'users', finishedAt: null });
    try {
      await job.start('rooms');
      expect.fail('a second rebuild started');
    } catch (error) {
      expect((error as RebuildRefused).code).to.equal('rebuild_in_progress');
    }
    open();
    while (job.state!.finishedAt === null) await settle();
    expect(rebuilt).to.deep.equal(['users', 'rooms']);
    expect(job.state).to.include({ current: null, position: 10, head: 10, error: null });
    expect((await job.start('rooms')).projections, 'another may start once it ended').to.deep.equal(['rooms']);
  });

  it('refuses an unknown projection, and reports a failed rebuild', async () => {
    const { control, open } = gatedControl(['users', 'broken']);
    open();
    const job = new RebuildJob(control);
    try {
      await job.start('nope');
      expect.fail('an unknown projection started');
    } catch (error) {
      expect(error).to.be.instanceOf(RebuildRefused).and.include({ code: 'unknown_projection' });
    }
    await job.start('broken');
    while (job.state!.finishedAt === null) await settle();
    expect(job.state!.error).to.equal('projection broke');
  });
});
