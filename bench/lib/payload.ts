/** The application message every scenario sends: small JSON, about 100 bytes once serialized. */
export interface BenchPayload {
  seq: number;
  from: string;
  text: string;
}

const TEXT = 'The quick brown fox jumps over the lazy dog; the dog naps on.';

export function makePayload(seq: number): BenchPayload {
  return { seq, from: 'bench-server', text: TEXT };
}

/** Event name of the benchmark's application messages (on both plain and reliable servers). */
export const BENCH_EVENT = 'm';

/** Namespace both kinds of server listen on. */
export const BENCH_NAMESPACE = '/bench';

/** Socket.IO room (plain server) a user's sockets join, mirroring the reliable server's per-user stream. */
export const plainUserRoom = (user: string): string => `user:${user}`;

/** Sent by the plain server with connection state recovery to each new socket (see plain-server.ts). */
export const WELCOME_EVENT = 'welcome';

/** Client → server events of the Nest bench gateway: the same echo handler without and with `@Reliable()`. */
export const ECHO_EVENT = 'echo';
export const RELIABLE_ECHO_EVENT = 'echo-reliable';

/** Event of the one-to-all message of scenario 7 (`io.emit` on plain servers, a campaign on reliable ones). */
export const CAMPAIGN_EVENT = 'push';

export interface CampaignPayload {
  round: number;
  text: string;
}

export const makeCampaignPayload = (round: number): CampaignPayload => ({ round, text: TEXT });

/** Event of the scale bench's paced messages (server → client emits and client → server sends alike). */
export const LOAD_EVENT = 'load';

/**
 * A paced message: `k` is its index in its round, `seq` its index among the messages of its target
 * (stream or client), `sentAt` the absolute time (ms, see `absoluteNow`) it was scheduled for, so a
 * latency measured from it includes any delay of a sender that fell behind its schedule.
 */
export interface LoadPayload {
  k: number;
  seq: number;
  sentAt: number;
  text: string;
}

export const makeLoadPayload = (k: number, seq: number, sentAt: number): LoadPayload => ({ k, seq, sentAt, text: TEXT });
