import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  readonly requestId: string;
}

/**
 * Carries the request id through every await of a request, so a log line written deep in a
 * service still says which request it belongs to without passing the id around.
 */
export class RequestContext {
  private static readonly storage = new AsyncLocalStorage<RequestScope>();

  static run<T>(scope: RequestScope, fn: () => T): T {
    return RequestContext.storage.run(scope, fn);
  }

  static current(): RequestScope | undefined {
    return RequestContext.storage.getStore();
  }
}
