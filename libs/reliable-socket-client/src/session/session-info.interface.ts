/**
 * The session the server announced (`rs:session`) for the current connection: whom the credential
 * authenticates and, when it expires, when (server time, ms since the epoch).
 *
 * @example
 * client.lifecycle.on('session', ({ userId, expiresAt }) => showUser(userId, expiresAt));
 */
export interface SessionInfo {
  userId: string;
  expiresAt?: number;
}
