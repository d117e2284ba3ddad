import { describe, expect, it } from '@jest/globals';
import { gapSignalledBy } from './gap-reason.js';

describe('gapSignalledBy', () => {
  const cursor = { epoch: 'e1', offset: 10 };

  it('reports nothing to a device without a cursor', () => {
    expect(gapSignalledBy(undefined, { epoch: 'e1', after: 50 })).toBeUndefined();
  });

  it('reports nothing when the batch resumes at the cursor or before it', () => {
    expect(gapSignalledBy(cursor, { epoch: 'e1', after: 10 })).toBeUndefined();
    expect(gapSignalledBy(cursor, { epoch: 'e1', after: 7 })).toBeUndefined();
  });

  it('reports `trimmed` when the batch starts past the cursor in the same epoch', () => {
    expect(gapSignalledBy(cursor, { epoch: 'e1', after: 11 })).toBe('trimmed');
  });

  it('reports `epoch` when the cursor belongs to another epoch', () => {
    expect(gapSignalledBy(cursor, { epoch: 'e2', after: 0 })).toBe('epoch');
  });

  it('stays silent for a joined batch that skips what precedes the membership', () => {
    expect(gapSignalledBy(cursor, { epoch: 'e1', after: 40, joined: true })).toBeUndefined();
    expect(gapSignalledBy(cursor, { epoch: 'e2', after: 3, joined: true })).toBeUndefined();
  });
});
