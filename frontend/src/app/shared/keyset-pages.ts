import { computed, linkedSignal, signal, type Signal, type WritableSignal } from '@angular/core';
import type { Observable } from 'rxjs';

import { Problem, problemFrom } from '../core/problem';

/** One page of a keyset-paged API answer (`?cursor=` takes the previous page's `nextCursor`). */
export interface KeysetPage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * A list's "Load more": the pages after the first, appended while `params` (the filters) stay
 * the same and dropped when they change. A page that arrives after the filters changed belongs
 * to the old list and is discarded.
 */
export class LaterPages<P, T> {
  private readonly pages: WritableSignal<readonly KeysetPage<T>[]>;
  readonly loading = signal(false);
  readonly problem = signal<Problem | null>(null);
  /** The first page's items, then every later page's. */
  readonly items: Signal<readonly T[]>;
  readonly nextCursor: Signal<string | null>;

  constructor(
    private readonly params: Signal<P>,
    first: Signal<KeysetPage<T> | undefined>,
    private readonly fetch: (params: P, cursor: string) => Observable<KeysetPage<T>>,
  ) {
    this.pages = linkedSignal<P, readonly KeysetPage<T>[]>({ source: params, computation: () => [] });
    this.items = computed(() => [...(first()?.items ?? []), ...this.pages().flatMap((page) => page.items)]);
    this.nextCursor = computed(() => (this.pages().at(-1) ?? first())?.nextCursor ?? null);
  }

  loadMore(): void {
    const cursor = this.nextCursor();
    if (!cursor || this.loading()) {
      return;
    }
    const params = this.params();
    this.loading.set(true);
    this.problem.set(null);
    this.fetch(params, cursor).subscribe({
      next: (page) => {
        this.loading.set(false);
        if (this.params() === params) {
          this.pages.update((pages) => [...pages, page]);
        }
      },
      error: (error: unknown) => {
        this.loading.set(false);
        this.problem.set(problemFrom(error));
      },
    });
  }
}
