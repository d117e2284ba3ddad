import { Module } from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { ReliableSocketModule } from '@reliable-socket/nestjs';
import { CampaignsController } from './admin/campaigns.controller.js';
import { RolesGuard } from './admin/roles.guard.js';
import { DevTokenController } from './auth/dev-token.controller.js';
import { jwtHandshakeAuthenticator } from './auth/jwt-handshake.authenticator.js';
import { ChatGateway } from './chat/chat.gateway.js';
import { PresenceController } from './chat/presence.controller.js';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample.config.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { StaticAssetsModule } from './web/static-assets.module.js';

/** Builds the sample's root module for a given configuration (tests start several with different ones). */
export function createAppModule(config: SampleConfig) {
  const jwtModule = JwtModule.register({ secret: config.jwtSecret, signOptions: { algorithm: 'HS256' } });

  @Module({
    imports: [
      jwtModule,
      ReliableSocketModule.forRootAsync({
        imports: [jwtModule],
        inject: [JwtService],
        useFactory: (jwt: JwtService) => ({
          redis: config.redisUrl,
          keyPrefix: config.redisKeyPrefix,
          authenticate: jwtHandshakeAuthenticator(jwt),
          heartbeat: { pingIntervalMs: config.pingIntervalMs, pingTimeoutMs: config.pingTimeoutMs },
          retention: { maxLength: config.retentionMaxLength, maxAgeMs: config.retentionMaxAgeMs },
          reliable: { leaseMs: config.reliableLeaseMs },
          presence: { ttlMs: config.presenceTtlMs },
          drainMs: config.drainMs,
        }),
      }),
      ObservabilityModule,
      StaticAssetsModule,
    ],
    controllers: [DevTokenController, PresenceController, CampaignsController],
    providers: [{ provide: SAMPLE_CONFIG, useValue: config }, ChatGateway, RolesGuard],
  })
  class AppModule {}

  return AppModule;
}
