import { BadRequestException, Controller, Get, Inject, NotFoundException, Query } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample.config.js';

/**
 * `GET /dev/token?user=ID[&role=admin][&ttl=SECONDS]` → `{ token }`: a quick login for development, with
 * any roles asked for (comma-separated, in the JWT's `roles`). Absent in production.
 */
@Controller('dev')
export class DevTokenController {
  constructor(
    private readonly jwt: JwtService,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  @Get('token')
  async token(@Query('user') user?: string, @Query('ttl') ttl?: string, @Query('role') role?: string): Promise<{ token: string }> {
    if (this.config.production) throw new NotFoundException();
    if (!user || !/^[\w.@-]{1,64}$/.test(user)) throw new BadRequestException('user must be 1-64 characters of [A-Za-z0-9_.@-]');
    const expiresIn = ttl === undefined ? 3600 : Number(ttl);
    if (!Number.isInteger(expiresIn) || expiresIn <= 0) throw new BadRequestException('ttl must be a positive number of seconds');
    const roles = role ? role.split(',').filter(Boolean) : [];
    if (!roles.every((r) => /^[\w-]{1,32}$/.test(r))) throw new BadRequestException('role must be a comma-separated list of [A-Za-z0-9_-]');
    const claims = roles.length > 0 ? { sub: user, roles } : { sub: user };
    return { token: await this.jwt.signAsync(claims, { expiresIn, algorithm: 'HS256' }) };
  }
}
