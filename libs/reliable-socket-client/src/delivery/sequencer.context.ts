import type { BatchEnvelope, Cursor, ErrorReply, FetchRequest, Gap, WireMessage } from '../protocol.js';
import type { ReliableErrorEvent } from '../lifecycle/lifecycle.events.js';
import type { BackoffOptions } from '../reconnect/backoff.js';

/** Reply to `rs:fetch` as a socket.io ack with timeout delivers it: an error, or the server's answer. */
export type FetchCallback = (error: Error | null, reply?: BatchEnvelope | ErrorReply) => void;

/** What a sequencer needs from the client; shared by the sequencers of all streams. */
export interface SequencerContext {
  /** Runs the application handlers of one message. Should not reject; a rejection is reported. */
  deliver(stream: string, message: WireMessage): Promise<void>;
  /** Persists a new cursor (and schedules its ack). Resolves once it is durable. */
  commit(stream: string, cursor: Cursor): Promise<void>;
  /** Sends `rs:fetch`; the callback must be called exactly once, with an error on timeout or disconnect. */
  fetch(request: FetchRequest, callback: FetchCallback): void;
  isConnected(): boolean;
  onGap(gap: Gap): void;
  onError(error: ReliableErrorEvent): void;
  /** How long a live message after a hole waits for the hole to fill by itself before fetching it. */
  gapHoldMs: number;
  /** Spacing of fetch retries after a failure. */
  retry: BackoffOptions;
}
