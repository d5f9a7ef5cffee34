import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../common/auth/access.decorators';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { ApiWithoutDatabase } from '../common/http/openapi';
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
  ) {}

  /** The process is up and serving; says nothing of its dependencies (restart only if this fails). */
  @Get('live')
  @ApiOkResponse({ type: LivenessDto })
  @ApiWithoutDatabase()
  live(): LivenessDto {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime() * 100) / 100 };
  }

  /** Send traffic here: the database answers and its schema is current. */
  @Get('ready')
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ProblemDetailsDto, description: 'HEALTH_NOT_READY, with `checks`' })
  async ready(): Promise<ReadinessDto> {
    let result: HealthCheckResult;
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
      throw new HealthError(HealthErrorCode.NotReady, `Not ready (${failing.join('; ')})`, { checks });
    }
    return { status: 'ok', checks: result.details };
  }
}
