import { describe, expect, it } from '@jest/globals';
import { SerialQueue } from './serial.queue.js';

describe('SerialQueue', () => {
  it('runs tasks one at a time in push order', async () => {
    const log: string[] = [];
    const queue = new SerialQueue(() => undefined);
    const slow = queue.run(async () => {
      log.push('a start');
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push('a end');
    });
    const fast = queue.run(() => void log.push('b'));
    await Promise.all([slow, fast]);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('reports a failing task and keeps going', async () => {
    const errors: unknown[] = [];
    const queue = new SerialQueue((error) => errors.push(error));
    await expect(queue.run(() => Promise.reject(new Error('x')))).resolves.toBeUndefined();
    let ran = false;
    await queue.run(() => void (ran = true));
    expect(ran).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
