import type { SendReply } from '@reliable-socket/client/protocol';

/*
 * Both idempotency stores keep a reply as JSON text, as the stream stores keep messages (see
 * `store/message.codec.ts`): a handler mutating its result after completion cannot rewrite the record,
 * every caller gets its own copy, and both stores hand back the same shapes (what JSON drops, e.g.
 * `undefined` fields, is dropped by both — as it would be on its way to the client anyway).
 */

/** The reply as JSON; throws a TypeError, before anything is recorded, for what JSON cannot carry. */
export function encodeReply(reply: SendReply): string {
  if (typeof reply?.ok !== 'boolean') throw new TypeError('reply must be { ok: true, result } or { ok: false, error }');
  return JSON.stringify(reply); // throws TypeError on a BigInt or a cycle
}

/** A recorded reply back into its object form. */
export function decodeReply(json: string): SendReply {
  return JSON.parse(json) as SendReply;
}

/**
 * The reply as it will be recorded and as every attempt of the message gets it, the first included: a
 * copy through JSON (what JSON drops is dropped for all alike, and a `Buffer` reaches no one as binary).
 * Throws a TypeError for what JSON cannot carry.
 */
export function throughJson(reply: SendReply): SendReply {
  return decodeReply(encodeReply(reply));
}
