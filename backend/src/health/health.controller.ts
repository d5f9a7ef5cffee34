import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../common/auth/access.decorators';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { ApiWithoutDatabase } from '../common/http/openapi';
import type { RedisLink } from '../common/redis/redis-link';
import { REDIS_LINK } from '../common/redis/redis.module';
import { LivenessDto, ReadinessDto } from './dto/health-status.dto';
import { HealthError, HealthErrorCode } from './health.errors';
import { MigrationsHealthIndicator } from './migrations.health';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
    @Inject(REDIS_LINK) private readonly redis: RedisLink | null,
  ) {}

  /** The process is up and serving; says nothing of its dependencies (restart only if this fails). */
  @Get('live')
  @ApiOkResponse({ type: LivenessDto })
  @ApiWithoutDatabase()
  live(): LivenessDto {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime() * 100) / 100 };
  }

  /**
   * Send traffic here: the database answers and its schema is current. With REDIS_URL set, Redis
   * is reported too (`checks.redis`) but never makes the instance unready: it carries only live
   * events across instances, and taking every instance out of the load balancer when Redis is
   * away would turn a degraded live feed into an outage of the whole API.
   */
  @Get('ready')
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ProblemDetailsDto, description: 'HEALTH_NOT_READY, with `checks`' })
  async ready(): Promise<ReadinessDto> {
    let result: HealthCheckResult;
    const redis = this.redisCheck();
    try {
      result = await this.health.check([
        () => this.database.pingCheck('database').withTimeout(2000),
        () => this.migrations.check('migrations'),
      ]);
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      const checks = (e.getResponse() as HealthCheckResult).details;
      const failing = Object.entries(checks)
        .filter(([, c]) => c.status !== 'up')
        .map(([name, c]) => `${name}: ${typeof c['message'] === 'string' ? c['message'] : c.status}`);
      throw new HealthError(HealthErrorCode.NotReady, `Not ready (${failing.join('; ')})`, {
        checks: { ...checks, ...(await redis) },
      });
    }
    return { status: 'ok', checks: { ...result.details, ...(await redis) } };
  }

  /** `{ redis: { status: 'up' | 'down' | 'connecting', … } }` when REDIS_URL is set, else nothing. */
  private async redisCheck(): Promise<Record<string, { status: string; [detail: string]: unknown }>> {
    if (!this.redis) return {};
    const { state, ...details } = await this.redis.status();
    return { redis: { status: state, ...details, affects: 'live events across instances only' } };
  }
}
