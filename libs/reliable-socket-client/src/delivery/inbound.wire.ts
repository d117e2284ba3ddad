import type { Socket } from 'socket.io-client';
import { ErrorCode, WireEvent, type BatchEnvelope, type ErrorReply, type FetchRequest } from '../protocol.js';
import type { LifecycleEvents } from '../lifecycle/lifecycle.events.js';
import type { TypedEmitter } from '../lifecycle/lifecycle.emitter.js';
import { isBatchEnvelope, isLiveBatchEnvelope, isLiveEnvelope, isSyncedEnvelope } from './envelope.guards.js';
import type { FetchCallback } from './sequencer.context.js';
import type { StreamRouter } from './stream.router.js';

/** A fetch that gets no reply within this time is retried; generous, since a page may be large. */
const FETCH_TIMEOUT_MS = 10_000;

/**
 * Routes the server → client protocol events (`rs:msg`, `rs:msgs`, `rs:batch`, `rs:synced`, `rs:head`) of `socket` to the
 * stream router; malformed payloads are reported as lifecycle errors and otherwise ignored.
 */
export function listenInbound(socket: Socket, router: StreamRouter, lifecycle: TypedEmitter<LifecycleEvents>): void {
  const malformed = (event: string): ErrorReply => {
    const error = { code: ErrorCode.BadRequest, message: `malformed ${event} from the server, ignored` };
    lifecycle.emit('error', error);
    return { error };
  };
  socket.on(WireEvent.Message, (envelope: unknown) => {
    if (isLiveEnvelope(envelope)) void router.live(envelope);
    else malformed(WireEvent.Message);
  });
  socket.on(WireEvent.Messages, (envelope: unknown) => {
    if (!isLiveBatchEnvelope(envelope)) return void malformed(WireEvent.Messages);
    // Each is a live message of its own: the per-stream queue keeps them in order.
    for (const message of envelope.messages) void router.live({ stream: envelope.stream, epoch: envelope.epoch, ...message });
  });
  socket.on(WireEvent.Batch, (envelope: unknown, ack?: (reply: { ok: true } | ErrorReply) => void) => {
    const connection = socket.id;
    // socket.io would send a late ack on the next connection, where its id means another request.
    const reply = (response: { ok: true } | ErrorReply): void => {
      if (typeof ack === 'function' && socket.connected && socket.id === connection) ack(response);
    };
    // The ack is the server's cue for the next replay page: only once this one is handled.
    if (isBatchEnvelope(envelope)) void router.batch(envelope).then(() => reply({ ok: true }));
    else reply(malformed(WireEvent.Batch));
  });
  socket.on(WireEvent.Synced, (envelope: unknown) => {
    if (isSyncedEnvelope(envelope)) void router.synced(envelope);
    else malformed(WireEvent.Synced);
  });
  socket.on(WireEvent.Head, (envelope: unknown) => {
    if (isSyncedEnvelope(envelope)) router.heads(envelope);
    else malformed(WireEvent.Head);
  });
}

/** `rs:fetch` with a timeout; the callback gets an error on timeout, disconnect or a malformed reply. */
export function fetchRange(socket: Socket, request: FetchRequest, callback: FetchCallback): void {
  if (!socket.connected) return callback(new Error('not connected'));
  socket.timeout(FETCH_TIMEOUT_MS).emit(WireEvent.Fetch, request, (error: Error | null, reply: unknown) => {
    if (error) callback(error);
    else if (isBatchEnvelope(reply) || (typeof reply === 'object' && reply !== null && 'error' in reply)) callback(null, reply as BatchEnvelope | ErrorReply);
    else callback(new Error('malformed rs:fetch reply'));
  });
}
