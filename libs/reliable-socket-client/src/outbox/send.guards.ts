import type { SendReply } from '../protocol.js';

/** Names socket.io-client refuses to emit (it throws), plus the protocol's own `rs:` prefix. */
const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

/** Why `event` cannot carry a reliable message, or undefined when it can. */
export function invalidEventReason(event: unknown): string | undefined {
  if (typeof event !== 'string' || event.length === 0) return 'the event name must be a non-empty string';
  if (event.startsWith('rs:')) return `"${event}": event names starting with "rs:" are reserved by the protocol`;
  if (RESERVED_EVENTS.has(event)) return `"${event}" is a reserved Socket.IO event name`;
  return undefined;
}

/**
 * The JSON text of the data, as it will be stored, or throws when it cannot be stored as JSON (a BigInt,
 * a cycle); `undefined` becomes `null`. The message then carries the parse of this text, not the
 * caller's object, which makes every attempt identical, including the resends after a reload and after
 * the caller mutated its object. Serialized once per send: the stored record reuses the text.
 */
export function toJsonText(data: unknown): string {
  return JSON.stringify(data) ?? 'null';
}

/** A well-formed {@link SendReply}; anything else (a handler without `@Reliable()`?) is not. */
export function isSendReply(reply: unknown): reply is SendReply {
  const candidate = reply as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (typeof candidate !== 'object' || candidate === null) return false;
  // `result: undefined` does not survive JSON, so `{ ok: true }` alone is a valid success.
  if (candidate.ok === true) return true;
  return candidate.ok === false && typeof candidate.error === 'object' && candidate.error !== null &&
    typeof candidate.error.code === 'string' && typeof candidate.error.message === 'string';
}

/** A final error reply made by the SDK itself. */
export function failure(code: string, message: string): SendReply {
  return { ok: false, error: { code, message } };
}
