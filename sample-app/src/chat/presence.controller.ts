import { Controller, Get, UseGuards } from '@nestjs/common';
import { PresenceService, type PresencePage } from '@reliable-socket/nestjs';
import { RolesGuard } from '../admin/roles.guard.js';

/** `GET /presence` (any signed-in user, bearer token): the first 100 users online in `/chat`. */
@Controller('presence')
@UseGuards(RolesGuard)
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Get()
  online(): Promise<PresencePage> {
    return this.presence.onlineUsers('/chat', { limit: 100 });
  }
}
