import { BadRequestException, Controller, Get, Inject, NotFoundException, Query } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample.config.js';

/** `GET /dev/token?user=ID` → `{ token }`: a quick login for development. Absent in production. */
@Controller('dev')
export class DevTokenController {
  constructor(
    private readonly jwt: JwtService,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  @Get('token')
  async token(@Query('user') user?: string, @Query('ttl') ttl?: string): Promise<{ token: string }> {
    if (this.config.production) throw new NotFoundException();
    if (!user || !/^[\w.@-]{1,64}$/.test(user)) throw new BadRequestException('user must be 1-64 characters of [A-Za-z0-9_.@-]');
    const expiresIn = ttl === undefined ? 3600 : Number(ttl);
    if (!Number.isInteger(expiresIn) || expiresIn <= 0) throw new BadRequestException('ttl must be a positive number of seconds');
    return { token: await this.jwt.signAsync({ sub: user }, { expiresIn, algorithm: 'HS256' }) };
  }
}
