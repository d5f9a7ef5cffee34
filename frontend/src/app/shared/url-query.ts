import { computed, inject, type Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, type ParamMap, type Params } from '@angular/router';

/**
 * A list's filters kept in the URL's query string, so a reload, a bookmark or a link shows the
 * same list: read as a signal (equal filters do not refetch), written by navigating. Create it
 * in a component's field initialiser (it injects the router).
 */
export class UrlQuery<Q> {
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly params = toSignal(this.route.queryParamMap, { requireSync: true });
  readonly value: Signal<Q>;

  constructor(
    fromParams: (params: ParamMap) => Q,
    private readonly toParams: (query: Q) => Params,
  ) {
    this.value = computed(() => fromParams(this.params()), {
      equal: (a, b) => JSON.stringify(a) === JSON.stringify(b),
    });
  }

  /** Changes some filters and keeps the others. `replaceUrl` for typing, so Back skips keystrokes. */
  set(change: Partial<Q>, replaceUrl = false): void {
    this.navigate(this.toParams({ ...this.value(), ...change }), replaceUrl);
  }

  clear(): void {
    this.navigate({}, false);
  }

  private navigate(queryParams: Params, replaceUrl: boolean): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams, replaceUrl });
  }
}
