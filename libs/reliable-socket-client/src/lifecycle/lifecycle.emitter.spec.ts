import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { TypedEmitter } from './lifecycle.emitter.js';

interface Events {
  tick: { n: number };
  other: { s: string };
}

describe('TypedEmitter', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('calls the listeners of the emitted name only', () => {
    const emitter = new TypedEmitter<Events>();
    const ticks: number[] = [];
    emitter.on('tick', ({ n }) => ticks.push(n));
    emitter.on('other', () => ticks.push(-1));
    emitter.emit('tick', { n: 1 });
    expect(ticks).toEqual([1]);
    expect(emitter.listenerCount('tick')).toBe(1);
  });

  it('removes listeners with off() and the returned function', () => {
    const emitter = new TypedEmitter<Events>();
    const ticks: number[] = [];
    const a = ({ n }: { n: number }) => void ticks.push(n);
    const offB = emitter.on('tick', ({ n }) => void ticks.push(n * 10));
    emitter.on('tick', a);
    emitter.off('tick', a);
    emitter.emit('tick', { n: 1 });
    offB();
    emitter.emit('tick', { n: 2 });
    expect(ticks).toEqual([10]);
    expect(emitter.listenerCount('tick')).toBe(0);
  });

  it('isolates a throwing listener from the others and from the emitter', () => {
    const reported = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const emitter = new TypedEmitter<Events>();
    let reached = false;
    emitter.on('tick', () => {
      throw new Error('listener bug');
    });
    emitter.on('tick', () => void (reached = true));
    expect(() => emitter.emit('tick', { n: 1 })).not.toThrow();
    expect(reached).toBe(true);
    expect(reported).toHaveBeenCalledTimes(1);
  });
});
