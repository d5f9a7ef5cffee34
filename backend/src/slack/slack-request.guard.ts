import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SlackInteractionError, SlackInteractionErrorCode } from './slack-interaction.errors';
import {
  SLACK_SIGNATURE_HEADER,
  SLACK_TIMESTAMP_HEADER,
  slackSignatureProblem,
  type SlackSignatureProblem,
} from './slack-signature';

/** On a refusal a retry cannot cure (a bad signature stays bad), Slack is told not to retry. */
export const SLACK_NO_RETRY_HEADER = 'x-slack-no-retry';

const SSL_CHECK_ROUTE = 'nx:slack-ssl-check';

/**
 * The route takes Slack's unsigned `ssl_check=1` posts (slash-command URLs get them when the
 * command is saved): the guard lets them through unsigned, flagged, and the handler answers 200
 * with nothing else done.
 */
export const AcceptsSlackSslCheck = (): MethodDecorator & ClassDecorator =>
  SetMetadata(SSL_CHECK_ROUTE, true);

export type SlackRequest = FastifyRequest & { rawBody?: Buffer; slackSslCheck?: boolean };

const CODES: Record<SlackSignatureProblem['kind'], SlackInteractionErrorCode> = {
  missing: SlackInteractionErrorCode.SignatureMissing,
  invalid: SlackInteractionErrorCode.SignatureInvalid,
  stale: SlackInteractionErrorCode.SignatureStale,
  version: SlackInteractionErrorCode.SignatureVersion,
};

const header = (req: FastifyRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** `ssl_check=1` in a form body (and no command in it): Slack checking our certificate. */
export function isSslCheck(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const form = body as Record<string, unknown>;
  return form['ssl_check'] === '1' && form['command'] === undefined;
}

/**
 * Rethrows, telling Slack not to retry when the refusal is ours to make (a request we cannot take
 * stays one); an outage (503) is left retryable.
 */
export function refusedWithoutRetry(reply: FastifyReply): (e: unknown) => never {
  return (e: unknown) => {
    if (e instanceof SlackInteractionError) void reply.header(SLACK_NO_RETRY_HEADER, '1');
    throw e;
  };
}

/**
 * Every Slack endpoint's first step (protocols.md §2.1): the v0 signature over the raw bytes as
 * received, within five minutes, compared in constant time. A refusal is 401 problem+json with
 * `X-Slack-No-Retry: 1` and nothing is stored; so is a request while no signing secret is
 * configured (the sender cannot be authenticated). Runs after the global session guard, which
 * lets these @Public routes through, and before the handler reads anything.
 */
@Injectable()
export class SlackRequestGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<SlackRequest>();
    const reply = http.getResponse<FastifyReply>();
    const targets = [context.getHandler(), context.getClass()];
    const unsigned = !header(req, SLACK_SIGNATURE_HEADER) && !header(req, SLACK_TIMESTAMP_HEADER);
    if (
      unsigned &&
      this.reflector.getAllAndOverride<boolean>(SSL_CHECK_ROUTE, targets) &&
      isSslCheck(req.body)
    ) {
      req.slackSslCheck = true;
      return true;
    }
    const secret = this.config.slack.signingSecret;
    if (!secret) {
      void reply.header(SLACK_NO_RETRY_HEADER, '1');
      throw new SlackInteractionError(
        SlackInteractionErrorCode.NoSigningSecret,
        'No Slack signing secret is configured (SLACK_SIGNING_SECRET): requests cannot be authenticated',
      );
    }
    const rawBody = req.rawBody ?? Buffer.alloc(0);
    const problem = slackSignatureProblem(
      secret,
      { timestamp: header(req, SLACK_TIMESTAMP_HEADER), signature: header(req, SLACK_SIGNATURE_HEADER) },
      rawBody,
    );
    if (problem) {
      void reply.header(SLACK_NO_RETRY_HEADER, '1');
      throw new SlackInteractionError(CODES[problem.kind], problem.detail);
    }
    return true;
  }
}
