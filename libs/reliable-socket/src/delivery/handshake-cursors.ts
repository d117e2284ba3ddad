import { HANDSHAKE_FIELD, isCursor, type Cursor } from '@reliable-socket/client/protocol';
import type { Socket } from 'socket.io';

/**
 * Reads the cursors a client sent in `auth.rs.cursors`. The handshake is untrusted input: malformed
 * entries are dropped (that stream then resumes as for a new device) rather than failing the connection.
 */
export function handshakeCursors(socket: Socket): Map<string, Cursor> {
  const state = (socket.handshake.auth as Record<string, unknown> | undefined)?.[HANDSHAKE_FIELD] as { cursors?: unknown } | undefined;
  const cursors = new Map<string, Cursor>();
  const raw = state?.cursors;
  if (typeof raw !== 'object' || raw === null) return cursors;
  for (const [stream, cursor] of Object.entries(raw)) {
    if (isCursor(cursor)) cursors.set(stream, { epoch: cursor.epoch, offset: cursor.offset });
  }
  return cursors;
}
