import type { Logger } from '@nestjs/common';
import type { ExtendedError, Socket } from 'socket.io';
import { ErrorCode } from '@reliable-socket/client/protocol';
import type { ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { authenticateHandshake } from './user.authenticator.js';

export type NamespaceMiddleware = (socket: Socket, next: (error?: ExtendedError) => void) => void;

/** A `connect_error` the client can act on: `data.code` says why. */
export function refusal(code: string, message: string): ExtendedError {
  const error = new Error(message) as ExtendedError;
  error.data = { code, message };
  return error;
}

/**
 * Namespace middleware that runs `authenticate` on every handshake, before the `connection` event, so a
 * refused client never reaches a handler or a replay. Refusal is a `connect_error` whose
 * `data.code` is `UNAUTHENTICATED`.
 */
export function handshakeAuthMiddleware(options: ResolvedReliableSocketOptions, logger: Logger): NamespaceMiddleware {
  return (socket, next) => {
    authenticateHandshake(options, socket.handshake, socket.id, logger).then(
      (user) => {
        socket.data.user = user;
        next();
      },
      (error: Error) => next(refusal(ErrorCode.Unauthenticated, error.message)),
    );
  };
}
