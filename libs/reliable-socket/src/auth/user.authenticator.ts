import { HttpException, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { AuthenticatedUser, Handshake, ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';

/** A refused credential, with the message the client may see. */
export class AuthenticationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationRefusedError';
  }
}

function isUser(user: unknown): user is AuthenticatedUser {
  const candidate = user as AuthenticatedUser;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.id === 'string' && candidate.id.length > 0;
}

/**
 * Runs the application's `authenticate` on a handshake (at connect, and again when a live client
 * re-authenticates). Errors the application raised on purpose keep their message for the client;
 * anything else is logged and reported as a plain "Authentication failed".
 */
export async function authenticateHandshake(options: ResolvedReliableSocketOptions, handshake: Handshake, anonymousId: string, logger: Logger): Promise<AuthenticatedUser> {
  if (!options.authenticate) return { id: `anonymous:${anonymousId}`, anonymous: true };
  let user: unknown;
  try {
    user = await options.authenticate(handshake);
  } catch (error) {
    if (error instanceof WsException || error instanceof HttpException) throw new AuthenticationRefusedError(error.message);
    logger.debug?.(`handshake refused: ${(error as Error)?.message ?? error}`);
    throw new AuthenticationRefusedError('Authentication failed');
  }
  if (!isUser(user)) {
    logger.error('authenticate() must return an object with a non-empty string "id"');
    throw new AuthenticationRefusedError('Authentication failed');
  }
  return user;
}
