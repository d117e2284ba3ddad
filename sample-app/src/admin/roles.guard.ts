import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';

/** Roles an HTTP handler (or controller) requires, all of them. */
export const Roles = (...roles: string[]) => SetMetadata('roles', roles);

/** The caller as read from the bearer token. */
export interface HttpUser {
  id: string;
  roles: string[];
}

/**
 * HTTP guard: `Authorization: Bearer <JWT>` (the same HS256 tokens as the sockets, `sub` = user id,
 * `roles` = string[]) → `request.user`; 401 without a valid token, 403 when a `@Roles()` role is missing.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: HttpUser }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw new UnauthorizedException('missing bearer token');
    let claims: { sub?: unknown; roles?: unknown };
    try {
      claims = await this.jwt.verifyAsync(token, { algorithms: ['HS256'] });
    } catch {
      throw new UnauthorizedException('invalid token');
    }
    if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new UnauthorizedException('token has no subject');
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    request.user = { id: claims.sub, roles };
    const required = this.reflector.getAllAndOverride<string[] | undefined>('roles', [context.getHandler(), context.getClass()]) ?? [];
    if (!required.every((role) => roles.includes(role))) throw new ForbiddenException(`requires role ${required.join(', ')}`);
    return true;
  }
}
