import {
  Body,
  Controller,
  Get,
  HttpCode,
  Logger,
  Module,
  Post,
  Req,
  type RawBodyRequest,
} from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, MinLength, ValidateNested } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { SubscribeMessage, WebSocketGateway, WsException } from '@nestjs/websockets';
import { createHash } from 'node:crypto';
import { Public } from '../src/common/auth/access.decorators';

class AssigneeDto {
  @IsString()
  @MinLength(3)
  email!: string;
}

export class ProbeDto {
  @IsString()
  @MinLength(3)
  title!: string;

  @IsInt()
  @Min(1)
  @Max(3)
  impact!: number;

  @ValidateNested()
  @Type(() => AssigneeDto)
  assignee!: AssigneeDto;
}

/** Lets a test hold a request in flight until it says so. */
export class RequestGate {
  private static release: (() => void) | undefined;
  private static entered: (() => void) | undefined;
  static readonly reached = (): Promise<void> => new Promise((r) => (RequestGate.entered = r));
  static open(): void {
    RequestGate.release?.();
  }
  static wait(): Promise<void> {
    RequestGate.entered?.();
    return new Promise((r) => (RequestGate.release = r));
  }
}

/** Test-only routes mounted on the real stack to exercise cross-cutting behaviour. */
/** Public: these probe the HTTP stack itself; authentication has its own specs. */
@Public()
@Controller('probe')
class ProbeController {
  private readonly logger = new Logger('Probe');

  @Post('echo')
  @HttpCode(200)
  echo(@Body() dto: ProbeDto): ProbeDto & { impactType: string } {
    return { ...dto, impactType: typeof dto.impact };
  }

  @Post('signature')
  @HttpCode(200)
  signature(@Req() req: RawBodyRequest<FastifyRequest>): { sha256: string | null } {
    return { sha256: req.rawBody ? createHash('sha256').update(req.rawBody).digest('hex') : null };
  }

  @Get('boom')
  boom(): never {
    throw new Error('relation "api_key" does not exist: SELECT secret FROM api_key');
  }

  @Get('log')
  async log(): Promise<{ ok: true }> {
    await new Promise((r) => setTimeout(r, 5));
    this.logger.log('probe handled');
    return { ok: true };
  }

  @Get('slow')
  async slow(): Promise<{ done: true }> {
    await RequestGate.wait();
    return { done: true };
  }
}

/** A gateway handler that fails, to check errors reach Socket.IO clients the standard way. */
@WebSocketGateway({ namespace: '/probe' })
export class ProbeGateway {
  @SubscribeMessage('reject')
  reject(): never {
    throw new WsException('Rejected by the probe');
  }

  @SubscribeMessage('crash')
  crash(): never {
    throw new Error('relation "api_key" does not exist');
  }
}

@Module({ controllers: [ProbeController], providers: [ProbeGateway] })
export class ProbeModule {}
