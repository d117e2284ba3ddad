import type { Observable } from 'rxjs';

/**
 * Who a campaign reaches. Users and rooms are resolved from the store, so members who are offline are
 * included and get the message when they reconnect. `where` matches the `socket.data` of connected
 * sockets on every node: each key is a dot path (`user.roles`, `region`), each value the wanted value
 * or a list of accepted values; an array field matches when it contains a wanted value.
 */
export interface CampaignTarget {
  users?: string[];
  rooms?: string[];
  where?: Record<string, unknown>;
}

export interface CampaignSpec {
  /** Defaults like `ReliableEmitter`'s. */
  namespace?: string;
  target: CampaignTarget;
  event: string;
  data: unknown;
  /** Most recipients reached per second across the whole cluster. Absent: no limit. */
  ratePerSecond?: number;
  /**
   * After this (ms since the epoch) nothing more is sent, devices skip the message, and recipients none of
   * whose devices acknowledged it count as expired.
   */
  expiresAt: number;
}

export type CampaignState = 'running' | 'paused' | 'cancelled' | 'completed' | 'expired';

/**
 * Counts over the campaign's recipients, which are users (every device of a user gets the message; a user
 * counts as delivered once any of its devices acknowledged it): `total = delivered + pending + expired`.
 */
export interface CampaignProgress {
  id: string;
  state: CampaignState;
  total: number;
  delivered: number;
  pending: number;
  expired: number;
}

export interface CampaignPreview {
  /** Distinct users the target matches now. */
  users: number;
  /** Their live connections now. */
  devices: number;
}

/** What the control plane and applications can do with campaigns. */
export interface CampaignOperations {
  preview(target: CampaignTarget, namespace?: string): Promise<CampaignPreview>;
  start(spec: CampaignSpec): Promise<{ id: string }>;
  progress(id: string): Promise<CampaignProgress>;
  progress$(id: string): Observable<CampaignProgress>;
  pause(id: string): Promise<CampaignProgress>;
  resume(id: string): Promise<CampaignProgress>;
  cancel(id: string): Promise<CampaignProgress>;
}

/** DI token for the {@link CampaignOperations} implementation (the control plane depends on this, not the class). */
export const CAMPAIGNS = Symbol('ReliableSocket:Campaigns');
