import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
} from '@nestjs/common';
import { DomainError } from './domain-error';
import { problemType, toProblem } from './problem';
import { RequestValidationError } from './request-errors';

enum WidgetErrorCode {
  Stale = 'WIDGET_STALE_VERSION',
}
class WidgetError extends DomainError<WidgetErrorCode> {
  get status(): number {
    return 409;
  }
}

const ctx = { instance: '/api/widgets/1', requestId: 'req-12345678' };

describe('toProblem', () => {
  it('maps a domain error to its module status, code and detail', () => {
    const { problem, unexpected } = toProblem(
      new WidgetError(WidgetErrorCode.Stale, 'version 2 is stale; current is 3'),
      ctx,
    );
    expect(problem).toEqual({
      type: 'urn:nexecute:problem:widget-stale-version',
      title: 'Conflict',
      status: 409,
      detail: 'version 2 is stale; current is 3',
      instance: '/api/widgets/1',
      code: 'WIDGET_STALE_VERSION',
      requestId: 'req-12345678',
    });
    expect(unexpected).toBe(false);
  });

  it('lists field errors for a validation failure', () => {
    const error = new RequestValidationError([
      { field: 'title', message: 'title should not be empty' },
      { field: 'impact', message: 'impact must not be greater than 3' },
    ]);
    const { problem } = toProblem(error, ctx);
    expect(problem).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: '2 fields are invalid',
      errors: [
        { field: 'title', message: 'title should not be empty' },
        { field: 'impact', message: 'impact must not be greater than 3' },
      ],
    });
  });

  it('keeps the message of a Nest client error and derives the code from the status', () => {
    expect(toProblem(new ForbiddenException('Admins only'), ctx).problem).toMatchObject({
      status: 403,
      title: 'Forbidden',
      code: 'FORBIDDEN',
      detail: 'Admins only',
    });
    expect(toProblem(new BadRequestException(['a is bad', 'b is bad'])).problem.detail).toBe(
      'a is bad; b is bad',
    );
    expect(toProblem(new HttpException('teapot', 418)).problem).toMatchObject({
      status: 418,
      code: 'HTTP_418',
    });
  });

  it('maps errors Fastify raises before a handler (size, media type, JSON) by their status', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(toProblem(tooLarge, ctx).problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const badJson = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), {
      statusCode: 400,
    });
    expect(toProblem(badJson, ctx).problem).toMatchObject({
      status: 400,
      code: 'REQUEST_MALFORMED',
      detail: 'Body is not valid JSON: Unexpected token } in JSON at position 9',
    });
  });

  it('never leaks what an unexpected error says (SQL, stacks, secrets)', () => {
    const leaky = new Error(
      'duplicate key value violates unique constraint; SELECT * FROM api_key WHERE secret = $1',
    );
    const { problem, unexpected } = toProblem(leaky, ctx);
    expect(unexpected).toBe(true);
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', title: 'Internal Server Error' });
    expect(JSON.stringify(problem)).not.toMatch(/SELECT|secret|constraint|at /);
    expect(
      toProblem(new InternalServerErrorException('pool exhausted: password=x')).problem.detail,
    ).not.toContain('password');
    expect(toProblem('a thrown string').problem.status).toBe(500);
  });

  it('omits instance and requestId when unknown', () => {
    const { problem } = toProblem(new ForbiddenException());
    expect(problem).not.toHaveProperty('instance');
    expect(problem).not.toHaveProperty('requestId');
  });

  it('derives a stable URN from the code', () => {
    expect(problemType('INCIDENT_ILLEGAL_TRANSITION')).toBe(
      'urn:nexecute:problem:incident-illegal-transition',
    );
  });
});
