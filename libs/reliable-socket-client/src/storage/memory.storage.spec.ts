import { afterEach, describe, expect, it } from '@jest/globals';
import { MemoryStorage, defaultStorage } from './memory.storage.js';
import { defaultStorageKey, storageKeys } from './storage.keys.js';

const globals = globalThis as { localStorage?: unknown };

describe('MemoryStorage', () => {
  it('stores, reads and removes strings', () => {
    const storage = new MemoryStorage();
    expect(storage.getItem('k')).toBeNull();
    storage.setItem('k', 'v');
    expect(storage.getItem('k')).toBe('v');
    storage.removeItem('k');
    expect(storage.getItem('k')).toBeNull();
  });
});

describe('defaultStorage', () => {
  afterEach(() => {
    delete globals.localStorage;
  });

  it('is in-memory where there is no localStorage', () => {
    expect(defaultStorage()).toBeInstanceOf(MemoryStorage);
  });

  it('is localStorage when present', () => {
    const local = new MemoryStorage();
    globals.localStorage = local;
    expect(defaultStorage()).toBe(local);
  });

  it('falls back to memory when touching localStorage throws', () => {
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new Error('SecurityError');
      },
    });
    expect(defaultStorage()).toBeInstanceOf(MemoryStorage);
  });
});

describe('storage keys', () => {
  it('derive the cursors, outbox and sender id keys from one base', () => {
    expect(storageKeys(defaultStorageKey('http://h/chat'))).toEqual({
      cursors: 'reliable-socket:http://h/chat:cursors',
      outbox: 'reliable-socket:http://h/chat:outbox',
      sid: 'reliable-socket:http://h/chat:sid',
    });
  });
});
