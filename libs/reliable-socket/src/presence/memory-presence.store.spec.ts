import { describe, expect, it } from '@jest/globals';
import { MemoryPresenceStore } from './memory-presence.store.js';
import { describePresenceStoreContract } from './presence.store.contract.js';
import type { PresenceEvent } from './presence.store.js';

describePresenceStoreContract('MemoryPresenceStore', async () => {
  const store = new MemoryPresenceStore();
  // One process is one node: the peer is the same store.
  return { store, peer: store, cleanup: () => store.close() };
});

describe('MemoryPresenceStore (injected clock)', () => {
  const alice = { namespace: '/chat', userId: 'alice', connectionId: 'c1' };
  const withClock = () => {
    const clock = { now: 1_000_000 };
    const store = new MemoryPresenceStore({ now: () => clock.now });
    const events: PresenceEvent[] = [];
    store.onChange((event) => events.push(event));
    return { clock, store, events };
  };

  it('keeps a connection live for exactly ttlMs after its last connect or heartbeat', async () => {
    const { clock, store } = withClock();
    await store.connect(alice, 1_000);
    clock.now += 999;
    expect(await store.isOnline('/chat', 'alice')).toBe(true);
    await store.heartbeat([alice], 1_000);
    clock.now += 999;
    expect(await store.count('/chat')).toEqual({ connections: 1, users: 1 });
    clock.now += 1;
    expect(await store.isOnline('/chat', 'alice')).toBe(false);
    expect(await store.count('/chat')).toEqual({ connections: 0, users: 0 });
    await store.close();
  });

  it('stamps events with its clock and delivers them before the call resolves', async () => {
    const { clock, store, events } = withClock();
    const connecting = store.connect(alice, 1_000);
    expect(events).toEqual([{ type: 'join', namespace: '/chat', userId: 'alice', fence: 1, at: clock.now }]);
    await connecting;
    clock.now += 5_000;
    expect(await store.sweep('/chat')).toBe(1);
    expect(events[1]).toEqual({ type: 'leave', namespace: '/chat', userId: 'alice', fence: 1, at: clock.now });
    await store.close();
  });

  it('stops notifying once closed', async () => {
    const { store, events } = withClock();
    await store.close();
    await store.connect(alice, 1_000);
    expect(events).toEqual([]);
    expect(await store.isOnline('/chat', 'alice')).toBe(true);
  });
});
