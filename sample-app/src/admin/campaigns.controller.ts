import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import {
  CampaignNotFoundError, CampaignService, CampaignStateError, InvalidCampaignError,
  type CampaignPreview, type CampaignProgress, type CampaignTarget,
} from '@reliable-socket/nestjs';
import { Roles, RolesGuard } from './roles.guard.js';

/** The chat namespace: campaigns of the sample reach its users. */
const NAMESPACE = '/chat';

interface TargetBody {
  target?: CampaignTarget;
}

interface StartBody extends TargetBody {
  event?: string;
  data?: unknown;
  ratePerSecond?: number;
  expiresAt?: number;
  /** Alternative to `expiresAt`: seconds from now. */
  ttlSeconds?: number;
}

/** Library errors → HTTP: bad spec 400, unknown id 404, wrong state 409. */
async function http<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidCampaignError) throw new BadRequestException(error.message);
    if (error instanceof CampaignNotFoundError) throw new NotFoundException(error.message);
    if (error instanceof CampaignStateError) throw new ConflictException(error.message);
    throw error;
  }
}

function target(body: TargetBody | undefined): CampaignTarget {
  const value = body?.target;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadRequestException('target must be an object');
  return value;
}

/**
 * Push campaigns to the chat's users, for the admin page (`/admin`). Every route needs a bearer token
 * with role `admin` (`GET /dev/token?user=admin&role=admin` in development).
 */
@Controller('admin/campaigns')
@UseGuards(RolesGuard)
@Roles('admin')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignService) {}

  @Post('preview')
  @HttpCode(200)
  preview(@Body() body: TargetBody): Promise<CampaignPreview> {
    return http(() => this.campaigns.preview(target(body), NAMESPACE));
  }

  @Post()
  start(@Body() body: StartBody): Promise<{ id: string }> {
    const expiresAt = body?.expiresAt ?? (body?.ttlSeconds !== undefined ? Date.now() + Number(body.ttlSeconds) * 1000 : undefined);
    if (typeof body?.event !== 'string') throw new BadRequestException('event must be a string');
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) throw new BadRequestException('expiresAt (ms) or ttlSeconds is required');
    return http(() =>
      this.campaigns.start({
        namespace: NAMESPACE,
        target: target(body),
        event: body.event!,
        data: body.data ?? null,
        expiresAt,
        ...(body.ratePerSecond !== undefined ? { ratePerSecond: body.ratePerSecond } : {}),
      }),
    );
  }

  @Get(':id')
  progress(@Param('id') id: string): Promise<CampaignProgress> {
    return http(() => this.campaigns.progress(id));
  }

  @Post(':id/pause')
  @HttpCode(200)
  pause(@Param('id') id: string): Promise<CampaignProgress> {
    return http(() => this.campaigns.pause(id));
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@Param('id') id: string): Promise<CampaignProgress> {
    return http(() => this.campaigns.resume(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string): Promise<CampaignProgress> {
    return http(() => this.campaigns.cancel(id));
  }
}
