import { afterEach, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { LivenessProbe, watchWakeUps } from './liveness.probe.js';

function fakeSocket(connected: boolean, answer: () => Promise<unknown>) {
  const emitted: string[] = [];
  const timeouts: number[] = [];
  const socket = {
    connected,
    timeout: (ms: number) => {
      timeouts.push(ms);
      return { emitWithAck: (event: string) => (emitted.push(event), answer()) };
    },
  };
  return { socket: socket as unknown as Socket, emitted, timeouts };
}

describe('LivenessProbe', () => {
  it('resolves true on an answered rs:probe, with the configured timeout', async () => {
    const fake = fakeSocket(true, async () => ({ t: 1 }));
    let dead = 0;
    const probe = new LivenessProbe(fake.socket, 1234, () => void (dead += 1));
    await expect(probe.probe()).resolves.toBe(true);
    expect(fake.emitted).toEqual(['rs:probe']);
    expect(fake.timeouts).toEqual([1234]);
    expect(dead).toBe(0);
  });

  it('resolves false and declares the connection dead on a timeout', async () => {
    const fake = fakeSocket(true, () => Promise.reject(new Error('operation has timed out')));
    let dead = 0;
    const probe = new LivenessProbe(fake.socket, 10, () => void (dead += 1));
    await expect(probe.probe()).resolves.toBe(false);
    expect(dead).toBe(1);
  });

  it('resolves false without a round trip when not connected', async () => {
    const fake = fakeSocket(false, async () => ({}));
    let dead = 0;
    const probe = new LivenessProbe(fake.socket, 10, () => void (dead += 1));
    await expect(probe.probe()).resolves.toBe(false);
    expect(fake.emitted).toEqual([]);
    expect(dead).toBe(1);
  });

  it('shares one round trip between concurrent probes', async () => {
    const fake = fakeSocket(true, () => new Promise((resolve) => setTimeout(resolve, 5)));
    const probe = new LivenessProbe(fake.socket, 100, () => undefined);
    const results = await Promise.all([probe.probe(), probe.probe()]);
    expect(results).toEqual([true, true]);
    expect(fake.emitted).toHaveLength(1);
    await probe.probe();
    expect(fake.emitted).toHaveLength(2);
  });
});

describe('watchWakeUps', () => {
  const globals = globalThis as { window?: unknown; document?: unknown };
  afterEach(() => {
    delete globals.window;
    delete globals.document;
  });

  it('does nothing outside browsers', () => {
    let wakes = 0;
    const stop = watchWakeUps(() => void (wakes += 1));
    stop();
    expect(wakes).toBe(0);
  });

  it('fires on online and on visibilitychange to visible, until stopped', () => {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
    globals.window = win;
    globals.document = doc;
    let wakes = 0;
    const stop = watchWakeUps(() => void (wakes += 1));
    win.dispatchEvent(new Event('online'));
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(wakes).toBe(1);
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(wakes).toBe(2);
    stop();
    win.dispatchEvent(new Event('online'));
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(wakes).toBe(2);
  });
});
