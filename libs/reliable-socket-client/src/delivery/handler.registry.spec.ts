import { describe, expect, it } from '@jest/globals';
import type { WireMessage } from '../protocol.js';
import { HandlerRegistry, type MessageMeta } from './handler.registry.js';

const message = (event: string, data: unknown = { x: 1 }): WireMessage => ({ offset: 3, event, data, ts: 1 });

describe('HandlerRegistry', () => {
  it('runs every handler of the event with the data and meta, and waits for all of them', async () => {
    const errors: unknown[] = [];
    const registry = new HandlerRegistry((error) => errors.push(error));
    const calls: Array<[unknown, MessageMeta]> = [];
    let slowDone = false;
    registry.on('note', (data, meta) => void calls.push([data, meta]));
    registry.on('note', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      slowDone = true;
    });
    registry.on('other', () => void calls.push(['other', { stream: '', offset: 0 }]));
    await registry.dispatch('user:1', message('note'));
    expect(calls).toEqual([[{ x: 1 }, { stream: 'user:1', offset: 3 }]]);
    expect(slowDone).toBe(true);
    expect(errors).toEqual([]);
  });

  it('reports a throwing or rejecting handler without stopping the others', async () => {
    const errors: Array<{ error: unknown; meta: MessageMeta }> = [];
    const registry = new HandlerRegistry((error, _m, meta) => errors.push({ error, meta }));
    let ran = false;
    registry.on('note', () => {
      throw new Error('sync');
    });
    registry.on('note', async () => {
      throw new Error('async');
    });
    registry.on('note', () => void (ran = true));
    await expect(registry.dispatch('s', message('note'))).resolves.toBeUndefined();
    expect(ran).toBe(true);
    expect(errors.map((e) => (e.error as Error).message)).toEqual(['sync', 'async']);
    expect(errors[0].meta).toEqual({ stream: 's', offset: 3 });
  });

  it('treats an event without handlers as handled', async () => {
    const registry = new HandlerRegistry(() => undefined);
    await expect(registry.dispatch('s', message('nobody'))).resolves.toBeUndefined();
  });

  it('removes handlers with off() and with the returned unsubscribe', async () => {
    const registry = new HandlerRegistry(() => undefined);
    const seen: string[] = [];
    const a = () => void seen.push('a');
    const b = () => void seen.push('b');
    registry.on('note', a);
    const offB = registry.on('note', b);
    registry.off('note', a);
    await registry.dispatch('s', message('note'));
    offB();
    await registry.dispatch('s', message('note'));
    expect(seen).toEqual(['b']);
  });
});
