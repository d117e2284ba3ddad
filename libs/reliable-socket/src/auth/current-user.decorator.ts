import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { AuthenticatedUser } from '../interfaces/reliable-socket-options.interface.js';

/**
 * Injects the user `authenticate` returned for this connection (`socket.data.user`), or one of its claims.
 *
 * @example
 * @SubscribeMessage('whoami')
 * whoami(@CurrentUser() user: AuthenticatedUser, @CurrentUser('id') id: string) { return { id, name: user.name }; }
 */
export const CurrentUser = createParamDecorator((claim: string | undefined, context: ExecutionContext) => {
  const user = context.switchToWs().getClient<Socket>().data.user as AuthenticatedUser | undefined;
  return claim ? user?.[claim] : user;
});
