import { SetMetadata } from '@nestjs/common';
import { UNIQUE_NAMESPACE_METADATA } from '../reliable-socket.constants.js';
import type { ConflictMode } from './session.registry.js';

export interface UniquePerNamespaceOptions {
  /**
   * `replace`: the newest connection wins; the older client is told `replaced` (reason SESSION_REPLACED)
   * and its SDK stays disconnected. `reject`: a second client is refused with `connect_error`
   * SESSION_EXISTS. A reconnect of the holder's own client instance is always accepted. @default 'replace'
   */
  onConflict?: ConflictMode;
}

/**
 * At most one live session per user in each namespace of this gateway, across all nodes. With dynamic
 * (regex or function) namespaces, uniqueness holds per concrete namespace.
 *
 * @example
 * @UniquePerNamespace({ onConflict: 'replace' })
 * @WebSocketGateway({ namespace: '/game' })
 * export class GameGateway {}
 */
export const UniquePerNamespace = (options: UniquePerNamespaceOptions = {}): ClassDecorator =>
  SetMetadata(UNIQUE_NAMESPACE_METADATA, { onConflict: options.onConflict ?? 'replace' });
