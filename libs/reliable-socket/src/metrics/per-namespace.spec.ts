import { describe, expect, it } from '@jest/globals';
import { OVERFLOW_NAMESPACE_LABEL, PerNamespace } from './per-namespace.js';

describe('PerNamespace', () => {
  it('creates one entry per namespace and reuses it', () => {
    const created: string[] = [];
    const entries = new PerNamespace(10, (label) => (created.push(label), { label }));
    expect(entries.of('/chat')).toBe(entries.of('/chat'));
    expect(entries.of('/game').label).toBe('/game');
    expect(created).toEqual(['/chat', '/game']);
  });

  it('puts every namespace past the limit under one overflow entry', () => {
    const entries = new PerNamespace(2, (label) => ({ label }));
    entries.of('/a');
    entries.of('/b');
    expect(entries.of('/c').label).toBe(OVERFLOW_NAMESPACE_LABEL);
    expect(entries.of('/d')).toBe(entries.of('/c'));
    expect(entries.of('/a').label).toBe('/a');
  });
});
