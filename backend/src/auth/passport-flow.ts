import type { Strategy } from 'passport';

export type StrategyOutcome<U> =
  | { readonly kind: 'redirect'; readonly url: string }
  | { readonly kind: 'success'; readonly user: U }
  | { readonly kind: 'fail'; readonly reason: string; readonly challenge: unknown }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * Runs one step of a strategy instance to a value, the way passport's own authenticate middleware
 * does (a per-request object inheriting from the strategy, with its actions bound), but without
 * letting the strategy write to the response (redirects come back as data, so the controller
 * answers through Fastify and every failure becomes our own redirect or problem), and without
 * passport's process-wide strategy registry, which two app instances in one process would share.
 */
export function runStrategy<U>(strategy: Strategy, request: object): Promise<StrategyOutcome<U>> {
  return new Promise((resolve) => {
    const step = Object.create(strategy) as Strategy & {
      success(user: U): void;
      fail(challenge?: unknown, status?: number): void;
      redirect(url: string): void;
      pass(): void;
      error(error: unknown): void;
    };
    step.success = (user) => resolve({ kind: 'success', user });
    step.fail = (challenge) => {
      const message = (challenge as { message?: unknown } | undefined)?.message;
      resolve({ kind: 'fail', reason: typeof message === 'string' ? message : 'failed', challenge });
    };
    step.redirect = (url) => resolve({ kind: 'redirect', url });
    step.pass = () => resolve({ kind: 'fail', reason: 'passed', challenge: undefined });
    step.error = (error) => resolve({ kind: 'error', error });
    try {
      // The typings want an Express request; passport-oauth2 reads only query, body and headers.
      (step.authenticate as (req: unknown, opts: unknown) => void).call(step, request, {});
    } catch (error) {
      resolve({ kind: 'error', error });
    }
  });
}
