/**
 * Names of the library's metrics, without the configurable prefix (`reliable_socket_` by default).
 * The README lists what each one measures.
 */
export const METRIC_NAMES = {
  connections: 'connections',
  users: 'users',
  messagesEmitted: 'messages_emitted_total',
  messagesDelivered: 'messages_delivered_total',
  messagesAcked: 'messages_acked_total',
  messagesReplayed: 'messages_replayed_total',
  replayBatchSize: 'replay_batch_size',
  ackLatency: 'ack_latency_seconds',
  gapsSignalled: 'gaps_signalled_total',
  sessionsReplaced: 'sessions_replaced_total',
  dedupeHits: 'dedupe_hits_total',
  campaignRecipients: 'campaign_recipients',
} as const;
