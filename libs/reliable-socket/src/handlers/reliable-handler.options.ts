/** Options of one `@Reliable()` handler; module-wide defaults come from the `reliable` module option. */
export interface ReliableHandlerOptions {
  /** Process one sender's messages for this event in send order, also across reconnects and nodes. @default false */
  ordered?: boolean;
  /**
   * How long an attempt holds a message before another node may run it. A live attempt renews its
   * lease; only an attempt whose node died lets it expire, and then the handler runs again. @default 30_000
   */
  leaseMs?: number;
  /** How long the first attempt's reply answers duplicates. @default 24 h */
  dedupeTtlMs?: number;
  /** Largest accepted `data`, in bytes of JSON. @default 65_536 */
  maxPayloadBytes?: number;
  /** How long an ordered message waits for its predecessor before running anyway (a cancelled predecessor never comes). @default 30_000 */
  orderWaitMs?: number;
}

export type ResolvedReliableHandlerOptions = Required<ReliableHandlerOptions>;
