// The same handler inside NestJS, with what our app puts on this path: helmet, a global
// ValidationPipe over a class-validator DTO, and the raw body kept for the signature.
import 'reflect-metadata';
import {
  Body,
  Controller,
  HttpCode,
  Module,
  Post,
  Req,
  UnauthorizedException,
  ValidationPipe,
  type INestApplication,
  type RawBodyRequest,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import { IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import pg from 'pg';
import { INSERT_EVENT, signatureMatches } from './shared.mjs';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

class EventDto {
  @IsUUID() id!: string;
  @IsString() type!: string;
  @IsOptional() @IsObject() payload?: Record<string, unknown>;
}

@Controller('webhooks')
class WebhookController {
  @Post('events')
  @HttpCode(202)
  async receive(@Req() req: RawBodyRequest<{ headers: Record<string, unknown> }>, @Body() event: EventDto) {
    if (!req.rawBody || !signatureMatches(req.rawBody, req.headers['x-signature'])) {
      throw new UnauthorizedException();
    }
    await pool.query(INSERT_EVENT, [event.id, event.type, event.payload ?? {}]);
    return { id: event.id };
  }
}

@Module({ controllers: [WebhookController] })
class BenchModule {}

async function main(): Promise<void> {
  const adapterName = process.env.ADAPTER;
  const options = { rawBody: true, logger: false as const };
  let app: INestApplication;
  if (adapterName === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    const fastifyApp = await NestFactory.create<NestFastifyApplication>(
      BenchModule,
      new FastifyAdapter(),
      options,
    );
    const helmet = (await import('helmet')).default;
    if (!process.env.WITHOUT_HELMET) {
      // As the app does (common/http/security-headers.ts): helmet built once, not per request.
      const applyHelmet = helmet();
      fastifyApp
        .getHttpAdapter()
        .getInstance()
        .addHook('onRequest', (req, reply, done) =>
          applyHelmet(req.raw, reply.raw, (err) => done(err as Error | undefined)),
        );
    }
    app = fastifyApp;
  } else {
    const { ExpressAdapter } = await import('@nestjs/platform-express');
    app = await NestFactory.create(BenchModule, new ExpressAdapter(), options);
    const helmet = (await import('helmet')).default;
    if (!process.env.WITHOUT_HELMET) app.use(helmet());
  }
  app.setGlobalPrefix('api');
  if (!process.env.WITHOUT_VALIDATION)
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.send?.('ready');
}

void main();
