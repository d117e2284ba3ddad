import type { WireMessage } from '@reliable-socket/client/protocol';
import type { AppendInput } from './stream.store.js';

/*
 * Both stores keep a message as the JSON text `{"event":…,"data":…,"ts":…}`. Serialising even in memory
 * means a caller mutating `data` after `append` cannot rewrite history, and both stores hand back the
 * same shapes (what JSON drops, e.g. `undefined` fields, is dropped by both).
 */

/**
 * `{"event":…,"data":…}` — the message without its timestamp. The Redis store sends this to Lua, which
 * stamps it with the server's clock ({@link stampMessage} mirrored in `redis/append.lua.ts`).
 */
export function encodeMessageBody(input: AppendInput): string {
  // Also what keeps the body from being `{}`, which the `ts` splice would turn into invalid JSON.
  if (typeof input.event !== 'string') throw new TypeError(`event must be a string, got ${typeof input.event}`);
  if (input.expiresAt !== undefined && !Number.isSafeInteger(input.expiresAt)) throw new TypeError('expiresAt must be an integer (ms since the epoch)');
  return JSON.stringify(input.expiresAt === undefined ? { event: input.event, data: input.data } : { event: input.event, data: input.data, expiresAt: input.expiresAt });
}

/** Adds `ts` to an encoded body. The body is always a JSON object, so it ends with `}`. */
export function stampMessage(body: string, ts: number): string {
  return `${body.slice(0, -1)},"ts":${ts}}`;
}

/** The stored text back into the wire shape. */
export function decodeMessage(offset: number, stored: string): WireMessage {
  const { event, data, ts, expiresAt } = JSON.parse(stored) as Omit<WireMessage, 'offset'>;
  return expiresAt === undefined ? { offset, event, data, ts } : { offset, event, data, ts, expiresAt };
}
