import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { classifySlackFailure } from './slack-notify.errors';

describe('classifySlackFailure', () => {
  it('a 429 waits its Retry-After', () => {
    expect(classifySlackFailure(new WebAPIRateLimitedError(7))).toMatchObject({
      kind: 'rate_limited',
      retryAfterSeconds: 7,
    });
  });

  it.each(['invalid_auth', 'channel_not_found', 'not_in_channel', 'invalid_blocks'])(
    '%s is permanent',
    (error) => {
      expect(classifySlackFailure(new WebAPIPlatformError({ ok: false, error }))).toMatchObject({
        kind: 'permanent',
        error,
      });
    },
  );

  it('another ok:false is refused (nothing posted, retried)', () => {
    expect(
      classifySlackFailure(new WebAPIPlatformError({ ok: false, error: 'internal_error' })),
    ).toMatchObject({
      kind: 'refused',
      error: 'internal_error',
    });
  });

  it('a 5xx or no answer is unknown (the message may have been taken)', () => {
    expect(classifySlackFailure(new WebAPIHTTPError(503, 'Service Unavailable', {}))).toMatchObject({
      kind: 'unknown',
    });
    expect(classifySlackFailure(new WebAPIRequestError(new Error('socket hang up')))).toMatchObject({
      kind: 'unknown',
      message: expect.stringContaining('socket hang up') as string,
    });
  });
});
