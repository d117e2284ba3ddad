import { describe, it } from '@jest/globals';
import type { SessionRegistry } from './session.registry.js';
import { sleep } from '../../../../test/support/wait.js';


/** The behaviour every {@link SessionRegistry} must have; run by each implementation's spec. */
export function describeSessionRegistryContract(name: string, factory: () => Promise<{ registry: SessionRegistry; cleanup(): Promise<void> }>): void {
  describe(`SessionRegistry contract: ${name}`, () => {
    let registry: SessionRegistry;
    let cleanup: () => Promise<void>;
    let n = 0;
    const user = (): string => `user-${(n += 1)}-${Math.random().toString(36).slice(2)}`;

    beforeEach(async () => {
      ({ registry, cleanup } = await factory());
    });
    afterEach(async () => cleanup());

    it('replace: every claim is granted with a growing fence, and only the newest holds', async () => {
      const userId = user();
      const first = await registry.claim({ namespace: '/a', userId, sessionId: 'tab-1' }, 'replace', 5_000);
      const second = await registry.claim({ namespace: '/a', userId, sessionId: 'tab-2' }, 'replace', 5_000);
      expect(first).toEqual({ granted: true, fence: 1, replaced: false });
      expect(second).toEqual({ granted: true, fence: 2, replaced: true });
      expect(await registry.holds({ namespace: '/a', userId, fence: 1 })).toBe(false);
      expect(await registry.holds({ namespace: '/a', userId, fence: 2 })).toBe(true);
    });

    it('reject: another instance is refused while the session lives; the holder\'s own instance takes over', async () => {
      const userId = user();
      await registry.claim({ namespace: '/a', userId, sessionId: 'tab-1' }, 'reject', 5_000);
      expect(await registry.claim({ namespace: '/a', userId, sessionId: 'tab-2' }, 'reject', 5_000)).toEqual({ granted: false, holderSessionId: 'tab-1' });
      expect(await registry.claim({ namespace: '/a', userId, sessionId: 'tab-1' }, 'reject', 5_000)).toEqual({ granted: true, fence: 2, replaced: true });
    });

    it('reject: an expired session (its node died) no longer blocks', async () => {
      const userId = user();
      await registry.claim({ namespace: '/a', userId, sessionId: 'tab-1' }, 'reject', 150);
      await sleep(250);
      expect(await registry.claim({ namespace: '/a', userId, sessionId: 'tab-2' }, 'reject', 5_000)).toEqual({ granted: true, fence: 2, replaced: false });
    });

    it('refresh keeps a held session alive and reports lost ones', async () => {
      const userId = user();
      const other = user();
      await registry.claim({ namespace: '/a', userId, sessionId: 's' }, 'reject', 200);
      await registry.claim({ namespace: '/a', userId: other, sessionId: 's' }, 'replace', 5_000);
      await registry.claim({ namespace: '/a', userId: other, sessionId: 't' }, 'replace', 5_000);
      for (let i = 0; i < 3; i += 1) {
        await sleep(100);
        expect(await registry.refresh([{ namespace: '/a', userId, fence: 1 }, { namespace: '/a', userId: other, fence: 1 }], 200)).toEqual([true, false]);
      }
      expect(await registry.claim({ namespace: '/a', userId, sessionId: 'intruder' }, 'reject', 5_000)).toMatchObject({ granted: false });
    });

    it('refresh takes back an absent session under its own fence, and a later claim still fences it out', async () => {
      const userId = user();
      await registry.claim({ namespace: '/a', userId, sessionId: 'live' }, 'replace', 5_000); // fence 1
      await registry.claim({ namespace: '/a', userId, sessionId: 'ghost' }, 'replace', 5_000); // fence 2, never connected
      await registry.release({ namespace: '/a', userId, fence: 2 });
      expect(await registry.refresh([{ namespace: '/a', userId, fence: 1, sessionId: 'live' }], 5_000)).toEqual([true]);
      expect(await registry.holds({ namespace: '/a', userId, fence: 1 })).toBe(true);
      expect(await registry.claim({ namespace: '/a', userId, sessionId: 'other' }, 'reject', 5_000)).toEqual({ granted: false, holderSessionId: 'live' });
      expect(await registry.claim({ namespace: '/a', userId, sessionId: 'next' }, 'replace', 5_000)).toEqual({ granted: true, fence: 3, replaced: true });
      expect(await registry.refresh([{ namespace: '/a', userId, fence: 1, sessionId: 'live' }], 5_000)).toEqual([false]);
    });

    it('refresh without a session id does not take an absent session back', async () => {
      const userId = user();
      await registry.claim({ namespace: '/a', userId, sessionId: 'x' }, 'replace', 5_000);
      await registry.release({ namespace: '/a', userId, fence: 1 });
      expect(await registry.refresh([{ namespace: '/a', userId, fence: 1 }], 5_000)).toEqual([false]);
    });

    it('release ends only the session it names; a stale release cannot remove a newer session', async () => {
      const userId = user();
      await registry.claim({ namespace: '/a', userId, sessionId: 'old' }, 'replace', 5_000);
      await registry.claim({ namespace: '/a', userId, sessionId: 'new' }, 'replace', 5_000);
      await registry.release({ namespace: '/a', userId, fence: 1 });
      expect(await registry.holds({ namespace: '/a', userId, fence: 2 })).toBe(true);
      await registry.release({ namespace: '/a', userId, fence: 2 });
      expect(await registry.holds({ namespace: '/a', userId, fence: 2 })).toBe(false);
      expect(await registry.claim({ namespace: '/a', userId, sessionId: 'next' }, 'reject', 5_000)).toEqual({ granted: true, fence: 3, replaced: false });
    });

    it('namespaces are independent', async () => {
      const userId = user();
      await registry.claim({ namespace: '/a', userId, sessionId: 'x' }, 'reject', 5_000);
      expect(await registry.claim({ namespace: '/b', userId, sessionId: 'y' }, 'reject', 5_000)).toMatchObject({ granted: true });
    });

    it.each(['replace', 'reject'] as const)('20 simultaneous claims in %s mode leave exactly one holder', async (mode) => {
      const userId = user();
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => registry.claim({ namespace: '/a', userId, sessionId: `tab-${i}` }, mode, 5_000)));
      const fences = claims.flatMap((claim) => (claim.granted ? [claim.fence] : []));
      const holding = await Promise.all(fences.map((fence) => registry.holds({ namespace: '/a', userId, fence })));
      expect(holding.filter(Boolean)).toHaveLength(1);
      expect(new Set(fences).size).toBe(fences.length);
      expect(fences.length).toBe(mode === 'replace' ? 20 : 1);
    });
  });
}
