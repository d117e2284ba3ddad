export * from './protocol.js';
export { ReliableClient } from './reliable.client.js';
export type { ReliableClientOptions, AuthSource } from './reliable-client.options.js';
export type { MessageHandler, MessageMeta } from './delivery/handler.registry.js';
export type { LifecycleEvents, ReliableErrorEvent } from './lifecycle/lifecycle.events.js';
export { TypedEmitter, type Listener } from './lifecycle/lifecycle.emitter.js';
export { MemoryStorage } from './storage/memory.storage.js';
export type { StorageLike } from './storage/storage-like.interface.js';
export { Backoff, type BackoffOptions } from './reconnect/backoff.js';
