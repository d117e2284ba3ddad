import type { Gap } from '../protocol.js';

/** Payload of the lifecycle `error` signal. Nothing here is fatal: the client keeps working. */
export interface ReliableErrorEvent {
  /** Protocol error code when the server sent one (`connect_error.data.code`, an error reply). */
  code?: string;
  message: string;
  /** Set when the error concerns one stream (a failed handler, a failed fetch). */
  stream?: string;
  /** Set when the error concerns one message (a failed handler). */
  offset?: number;
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
  error: ReliableErrorEvent;
}
