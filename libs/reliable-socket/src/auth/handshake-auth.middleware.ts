import { HttpException, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { ExtendedError, Socket } from 'socket.io';
import { ErrorCode } from '@reliable-socket/client/protocol';
import type { AuthenticatedUser, ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';

type Middleware = (socket: Socket, next: (error?: ExtendedError) => void) => void;

/** Errors the application raised on purpose carry a message meant for the client; anything else stays internal. */
function clientMessage(error: unknown): string {
  if (error instanceof WsException || error instanceof HttpException) return error.message;
  return 'Authentication failed';
}

function validUser(user: unknown): user is AuthenticatedUser {
  return typeof user === 'object' && user !== null && typeof (user as AuthenticatedUser).id === 'string' && (user as AuthenticatedUser).id.length > 0;
}

/**
 * Namespace middleware that runs `authenticate` on every handshake, before the `connection` event, so a
 * refused client never reaches a handler or a replay. Refusal is a `connect_error` whose
 * `data.code` is `UNAUTHENTICATED`.
 */
export function handshakeAuthMiddleware(options: ResolvedReliableSocketOptions, logger: Logger): Middleware {
  return (socket, next) => {
    const authenticate = options.authenticate ?? ((): AuthenticatedUser => ({ id: `anonymous:${socket.id}`, anonymous: true }));
    Promise.resolve()
      .then(() => authenticate(socket.handshake))
      .then((user) => {
        if (!validUser(user)) throw new Error('authenticate() must return an object with a non-empty string "id"');
        socket.data.user = user;
        next();
      })
      .catch((error: unknown) => {
        if (!(error instanceof WsException || error instanceof HttpException)) {
          logger.debug?.(`handshake refused on ${socket.nsp.name}: ${(error as Error)?.message ?? error}`);
        }
        const refusal = new Error(clientMessage(error)) as ExtendedError;
        refusal.data = { code: ErrorCode.Unauthenticated, message: refusal.message };
        next(refusal);
      });
  };
}
