/**
 * Scenario 2 — recovery of messages sent while the client was away. The client connects once, leaves,
 * the server emits `count` messages to its user, and a new client comes back:
 * - reliable: a new `ReliableClient` over the first one's storage; timed from its construction until its
 *   handler has run `count` times (and until the SDK's `recovered` event);
 * - plain Socket.IO: a new socket for the same user. It gets nothing: nothing kept the messages;
 * - plain Socket.IO with connection state recovery: the same socket reconnects after an abrupt
 *   transport loss and the server hands back what it buffered in memory.
 */
import { MemoryStorage } from '@reliable-socket/client';
import { Inbox } from '../lib/inbox.js';
import { plainClient, reliableClient, whenSynced } from '../lib/clients.js';
import type { ServerHandle } from '../lib/server-handle.js';
import { collectGarbage, median, now, sleep, waitUntil, withDeadline } from '../lib/timing.js';

export interface RecoveryRun {
  expected: number;
  /** Messages the returning client's handler got. */
  recovered: number;
  /** From the returning client's construction (or reconnect) until its handler got all; NaN if it never did. */
  allHandledMs: number;
  /** Reliable only: until the SDK's `recovered` lifecycle event. */
  recoveredEventMs?: number;
}

export interface RecoveryResult {
  runs: RecoveryRun[];
  medianMs: number;
  medianRecoveredEventMs?: number;
}

const RECOVERY_TIMEOUT_MS = 20_000;
/** How long a plain client that will get nothing is watched for stray messages before concluding so. */
const PLAIN_GRACE_MS = 500;

let runNumber = 0;
const freshUser = (kind: string): string => `rc-${kind}-${++runNumber}`;

/** Waits until the server has processed the client's departure, so the burst really happens while it is away. */
async function awaitGone(server: ServerHandle, user: string): Promise<void> {
  await waitUntil(async () => (await server.socketCount(user)) === 0, `${user} to leave ${server.kind}`);
}

async function emitWhileAway(server: ServerHandle, user: string, count: number, concurrency: number): Promise<void> {
  await awaitGone(server, user);
  await server.burst({ user, count, concurrency, via: 'room' });
  await server.snapshot(true);
  collectGarbage();
}

export async function measureReliableRecovery(server: ServerHandle, count: number, concurrency: number): Promise<RecoveryRun> {
  const user = freshUser(server.kind);
  const storage = new MemoryStorage();
  const first = reliableClient(server, user, storage);
  try {
    await whenSynced(first);
  } finally {
    await first.close();
  }
  await emitWhileAway(server, user, count, concurrency);

  const inbox = new Inbox(count, 'offset');
  const started = now();
  const returning = reliableClient(server, user, storage, inbox);
  const recoveredEvent = new Promise<number>((resolve) => returning.lifecycle.on('recovered', () => resolve(now())));
  try {
    const completedAt = await inbox.waitComplete(RECOVERY_TIMEOUT_MS, `${server.kind} recovery`);
    const recoveredAt = await withDeadline(recoveredEvent, RECOVERY_TIMEOUT_MS, `${server.kind} recovered event`);
    inbox.verify(`${server.kind} recovery`);
    return { expected: count, recovered: inbox.received, allHandledMs: completedAt - started, recoveredEventMs: recoveredAt - started };
  } finally {
    await returning.close();
  }
}

export async function measurePlainRecovery(server: ServerHandle, count: number): Promise<RecoveryRun> {
  const user = freshUser(server.kind);
  (await plainClient(server, user)).disconnect();
  await emitWhileAway(server, user, count, 1);
  const inbox = new Inbox(count, 'seq');
  const returning = await plainClient(server, user, inbox);
  await sleep(PLAIN_GRACE_MS);
  returning.disconnect();
  // No time to report: there is nothing to wait for.
  return { expected: count, recovered: inbox.received, allHandledMs: Number.NaN };
}

export async function measureCsrRecovery(server: ServerHandle, count: number): Promise<RecoveryRun> {
  const user = freshUser(server.kind);
  const inbox = new Inbox(count, 'seq');
  const socket = await plainClient(server, user, inbox, true);
  try {
    // Abrupt transport loss: Socket.IO keeps the session only for this, not for a deliberate disconnect().
    socket.io.engine.close();
    await emitWhileAway(server, user, count, 1);
    const started = now();
    socket.connect();
    const completedAt = await inbox.waitComplete(RECOVERY_TIMEOUT_MS, 'plain socket.io connection state recovery').catch(() => Number.NaN);
    if (!socket.recovered) throw new Error('plain socket.io did not recover its session (socket.recovered is false)');
    if (inbox.received === count) inbox.verify('plain socket.io connection state recovery');
    return { expected: count, recovered: inbox.received, allHandledMs: completedAt - started };
  } finally {
    socket.disconnect();
  }
}

/** Runs `measure` `rounds` times and reports the medians. */
export async function runRecovery(rounds: number, measure: () => Promise<RecoveryRun>): Promise<RecoveryResult> {
  const runs: RecoveryRun[] = [];
  for (let round = 0; round < rounds; round += 1) runs.push(await measure());
  const eventTimes = runs.map((run) => run.recoveredEventMs).filter((ms): ms is number => ms !== undefined);
  return {
    runs,
    medianMs: median(runs.map((run) => run.allHandledMs)),
    medianRecoveredEventMs: eventTimes.length ? median(eventTimes) : undefined,
  };
}
