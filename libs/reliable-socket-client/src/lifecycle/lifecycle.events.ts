import type { Gap } from '../protocol.js';
import type { SessionInfo } from '../session/session-info.interface.js';

/** Payload of the lifecycle `error` signal. Nothing here is fatal: the client keeps working. */
export interface ReliableErrorEvent {
  /** Protocol error code when the server sent one (`connect_error.data.code`, an error reply). */
  code?: string;
  message: string;
  /** Set when the error concerns one stream (a failed handler, a failed fetch). */
  stream?: string;
  /** Set when the error concerns one message (a failed handler). */
  offset?: number;
  /**
   * Set when a reliable client → server message failed for good (an error reply) and no `send()` promise
   * was there to reject: it was restored from storage after a reload, or its `send()` had timed out.
   */
  id?: string;
  cause?: unknown;
}

/** Signals of `client.lifecycle`, by name. */
export interface LifecycleEvents {
  /** The socket is connected; the server now replays what this device missed. */
  connected: Record<string, never>;
  disconnected: { reason: string };
  /** Replay after a (re)connect or room join finished; `count` messages were delivered from it. */
  recovered: { stream: string; count: number };
  /** A range of a stream that will never be delivered (trimmed by retention, or the stream was reset). */
  gap: Gap;
  /**
   * A reliable client → server message was acked with `result`: every one, including those restored
   * from storage after a reload (no `send()` promise) and those whose `send()` timed out.
   */
  sent: { id: string; event: string; result: unknown };
  error: ReliableErrorEvent;
  /**
   * Another client of the same user (another tab, device or process) took the session (`reason`
   * `SESSION_REPLACED`). This client disconnects and does **not** reconnect by itself, or the two would
   * take the session from each other forever; `client.connect()` takes it back.
   */
  replaced: { reason: string };
  /**
   * The server refused the connection because another client of the same user holds the session
   * (`reason` `SESSION_EXISTS`). This client stops retrying; `client.connect()` tries again.
   */
  rejected: { reason: string };
  /**
   * The application disconnected this user through the control plane (`reason` as it gave). The client
   * does not reconnect by itself; `client.connect()` does.
   */
  kicked: { reason: string };
  /** Who the connection is authenticated as: after every connect, and after each `refreshAuth()`. */
  session: SessionInfo;
}
