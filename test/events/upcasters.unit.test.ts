import { expect } from 'chai';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { UpcasterRegistry, upcasters } from '../../src/events/upcasters.js';

function recorded(type: string, data: unknown): StoredEvent {
  return {
    id: 'e1',
    stream: 'session-s1',
    revision: 0,
    position: 1,
    type,
    data,
    metadata: { correlationId: 'c', at: '2026-01-01T00:00:00.000Z' },
    created: 0,
  };
}

describe('upcasters', () => {
  it('read a SessionStarted recorded before dialect and address as a v1 session from an unknown address', () => {
    const old = recorded('SessionStarted', { sessionId: 's1', userId: 3, tokenHash: 'ab', device: 'phone' });
    const current = upcasters.upcast(old);
    expect(current.data).to.deep.equal({ sessionId: 's1', userId: 3, tokenHash: 'ab', device: 'phone', dialect: 'v1', address: null });
    expect(current).to.include({ id: 'e1', position: 1, type: 'SessionStarted' });
    expect(old.data, 'the stored event is left alone').to.not.have.property('dialect');
  });

  it('leave events already in the current shape, and other types, as the very same objects', () => {
    const current = recorded('SessionStarted', {
      sessionId: 's1',
      userId: 3,
      tokenHash: 'ab',
      device: 'phone',
      dialect: 'im',
      address: '10.0.0.1',
    });
    expect(upcasters.upcast(current)).to.equal(current);
    const other = recorded('MessageSent', { roomId: 1 });
    expect(upcasters.upcast(other)).to.equal(other);
    const odd = recorded('SessionStarted', null);
    expect(upcasters.upcast(odd)).to.equal(odd);
  });

  it('apply the steps of one type oldest first, each only to the shape it reads', () => {
    const registry = new UpcasterRegistry([
      { type: 'Renamed', matches: (data) => 'title' in data, upcast: ({ title, ...rest }) => ({ ...rest, name: title }) },
      { type: 'Renamed', matches: (data) => !('tags' in data), upcast: (data) => ({ ...data, tags: [] }) },
    ]);
    expect(registry.upcast(recorded('Renamed', { title: 'a' })).data).to.deep.equal({ name: 'a', tags: [] });
    expect(registry.upcast(recorded('Renamed', { name: 'b' })).data).to.deep.equal({ name: 'b', tags: [] });
    expect(registry.upcast(recorded('Renamed', { name: 'c', tags: ['x'] })).data).to.deep.equal({ name: 'c', tags: ['x'] });
  });
});
