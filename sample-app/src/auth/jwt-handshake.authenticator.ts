import { UnauthorizedException } from '@nestjs/common';
import type { JwtService } from '@nestjs/jwt';
import type { AuthenticatedUser, Handshake } from '@reliable-socket/nestjs';

interface TokenClaims {
  sub?: unknown;
  exp?: number;
  roles?: unknown;
}

/**
 * Verifies `auth.token` (HS256 JWT whose `sub` is the user id, optional `roles` a string list, returned
 * as `socket.data.user.roles` for guards and campaign `where` targets). The library turns any throw into a
 * `connect_error` with code UNAUTHENTICATED; UnauthorizedException messages reach the client.
 */
export function jwtHandshakeAuthenticator(jwt: JwtService) {
  return async (handshake: Handshake): Promise<AuthenticatedUser> => {
    const token = (handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) throw new UnauthorizedException('missing auth.token');
    let claims: TokenClaims;
    try {
      claims = await jwt.verifyAsync<TokenClaims & object>(token, { algorithms: ['HS256'] });
    } catch (error) {
      throw new UnauthorizedException((error as Error).name === 'TokenExpiredError' ? 'token expired' : 'invalid token');
    }
    if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new UnauthorizedException('token has no subject');
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((role): role is string => typeof role === 'string') : [];
    return { id: claims.sub, roles, expiresAt: claims.exp ? claims.exp * 1000 : undefined };
  };
}
