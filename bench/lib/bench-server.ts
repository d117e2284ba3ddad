import type { ReliableScaleOps } from './reliable-scale-ops.js';
import type { BurstRequest, CampaignReply, CampaignRequest } from './server-protocol.js';

/**
 * What the server process needs from either kind of server (plain Socket.IO or the Nest app); the
 * scale bench's operations (`pacedEmit`, `prefill`, `join`) only reliable servers have.
 */
export interface BenchServer extends Partial<ReliableScaleOps> {
  readonly port: number;
  /** Sends the burst; resolves once every emit returned (plain) or resolved as durable (reliable). */
  burst(request: BurstRequest): Promise<void>;
  /** Sockets of `user` connected to this server right now. */
  socketCount(user: string): number;
  /** Sockets connected to the bench namespace, all users. */
  connectionCount(): number;
  /** Runs of the `@Reliable()` echo handler so far (0 on plain servers, which have no handlers). */
  reliableHandlerRuns(): number;
  /** One message to every connected client (scenario 7); absent on servers that do not take part. */
  campaign?(request: CampaignRequest): Promise<CampaignReply>;
  close(): Promise<void>;
}

/** The user id a bench client claims in its handshake (`auth: { user }`); the bench trusts it. */
export function handshakeUser(auth: unknown): string {
  const user = (auth as { user?: unknown } | undefined)?.user;
  if (typeof user !== 'string' || user.length === 0) throw new Error('handshake auth.user must be a non-empty string');
  return user;
}

/** Absolute high-resolution time (ms), comparable between the bench process and the server processes. */
export const absoluteNow = (): number => performance.timeOrigin + performance.now();
