import type { INestApplication } from '@nestjs/common';
import { StreamName } from '@reliable-socket/client/protocol';
import { ReliableEmitter, StreamStore, type AppendInput } from '@reliable-socket/nestjs';
import { runBounded } from './emit-pool.js';
import { runOpenLoop } from './open-loop.js';
import { BENCH_NAMESPACE, LOAD_EVENT, makeLoadPayload, makePayload } from './payload.js';
import type { JoinRequest, PacedEmitReply, PacedEmitRequest, PrefillReply, PrefillRequest } from './server-protocol.js';
import { now, percentile } from './timing.js';

/** Messages per store call while prefilling: one script call stores a whole chunk. */
const PREFILL_CHUNK = 1_000;
/** Joins under way at once (each is a few store calls). */
const JOIN_CONCURRENCY = 10;
/** Time a paced run may overrun its schedule (the tail of emits included) before it counts as failed. */
const PACED_OVERRUN_MS = 10_000;

/** What the scale bench asks of a reliable server beyond the regular bench operations. */
export interface ReliableScaleOps {
  pacedEmit(request: PacedEmitRequest): Promise<PacedEmitReply>;
  prefill(request: PrefillRequest): Promise<PrefillReply>;
  join(request: JoinRequest): Promise<void>;
}

export function reliableScaleOps(app: INestApplication): ReliableScaleOps {
  const emitter = app.get(ReliableEmitter);
  const store = app.get<StreamStore>(StreamStore);
  return {
    async pacedEmit({ targets, count, ratePerSec, maxPending }) {
      const emitMs: number[] = [];
      const streams = targets.map((target) => (target.kind === 'user' ? emitter.toUser(target.name) : emitter.toRoom(target.name)));
      const loop = await runOpenLoop({ count, ratePerSec, maxPending, timeoutMs: (count / ratePerSec) * 1000 + PACED_OVERRUN_MS }, async (k, scheduledAt) => {
        const started = now();
        const payload = makeLoadPayload(k, Math.floor(k / streams.length), performance.timeOrigin + scheduledAt);
        await streams[k % streams.length].emit(LOAD_EVENT, payload);
        emitMs.push(now() - started);
      });
      return { loop, emitP50Ms: percentile(emitMs, 50), emitP99Ms: percentile(emitMs, 99) };
    },
    // Through the store, not the emitter: history that piled up while nobody listened, stored in big
    // chunks so that a million messages take seconds, not minutes.
    async prefill({ user, count }) {
      const key = { namespace: BENCH_NAMESPACE, stream: StreamName.user(user) };
      let state = await store.state(key);
      for (let stored = 0; stored < count; stored += PREFILL_CHUNK) {
        const inputs: AppendInput[] = Array.from({ length: Math.min(PREFILL_CHUNK, count - stored) }, (_, index) => ({
          event: 'prefill', data: makePayload(stored + index),
        }));
        const results = await store.appendBatch(key, inputs);
        state = { ...state, epoch: results[0].epoch, head: results[results.length - 1].offset };
      }
      return { epoch: state.epoch, head: state.head };
    },
    async join({ user, rooms }) {
      await runBounded(rooms.length, JOIN_CONCURRENCY, (index) => emitter.join(user, rooms[index]));
    },
  };
}
