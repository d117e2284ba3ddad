import { Injectable } from '@nestjs/common';
import { PresenceService } from '../presence/presence.service.js';
import type { ControlPayload, PresenceRequest, PresenceResult } from './control.contract.js';
import { ONLINE_USERS_PAGE } from './control-commands.parser.js';

/**
 * Answers `presence` from the cluster-wide presence store, so any node's answer is complete and no
 * node needs to coordinate with the others.
 */
@Injectable()
export class PresenceQueryHandler {
  constructor(private readonly presence: PresenceService) {}

  /**
   * @example
   * await handler.answer({ requestId, namespace: '/chat', query: 'isOnline', userId: 'bob' }); // { online: true }
   */
  async answer(request: ControlPayload<PresenceRequest>): Promise<PresenceResult> {
    const { namespace } = request;
    switch (request.query) {
      case 'count':
        return this.presence.count(namespace);
      case 'isOnline':
        return { online: await this.presence.isOnline(request.userId, namespace) };
      case 'onlineUsers':
        return this.presence.onlineUsers(namespace, { cursor: request.cursor, limit: request.limit ?? ONLINE_USERS_PAGE.default });
      case 'roomMembers':
        return { members: await this.presence.roomMembers(request.room, namespace) };
    }
  }
}
