import { computed, DestroyRef, inject, signal, type Signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { catchError, combineLatest, EMPTY, map, type Observable, startWith, switchMap, tap } from 'rxjs';

import type { Fetched } from './analytics-api';

type Params = Readonly<Record<string, string | number>>;

interface Held<V> {
  readonly key: string;
  readonly view: V;
  readonly etag: string | null;
}

/**
 * One analytics answer kept current: read again whenever its parameters change or `refreshes`
 * ticks. A re-read of the same parameters sends the ETag held, and a 304 keeps the view (no new
 * object, so charts are not redrawn). While other parameters load, the last view stays on screen
 * (`stale()` says so) instead of giving way to a skeleton. Create it in an injection context.
 */
export class AnalyticsFeed<V> {
  private readonly held = signal<Held<V> | undefined>(undefined);
  private readonly pendingKey = signal<string | undefined>(undefined);
  private readonly failure = signal<unknown>(undefined);

  /** The last answer, or undefined before the first. */
  readonly view: Signal<V | undefined> = computed(() => this.held()?.view);
  /** The last read's failure (cleared by the next success). */
  readonly error: Signal<unknown> = this.failure.asReadonly();
  /** Nothing to show yet and no failure: the skeleton's time. */
  readonly loading = computed(() => this.held() === undefined && this.failure() === undefined);
  /** A view is shown while other parameters load. */
  readonly stale = computed(() => {
    const pending = this.pendingKey();
    return pending !== undefined && pending !== this.held()?.key;
  });

  constructor(
    params: Signal<Params>,
    load: (params: Params, etag: string | null) => Observable<Fetched<V>>,
    refreshes: Observable<unknown>,
  ) {
    const keyed = computed(() => ({ params: params(), key: JSON.stringify(params()) }), {
      equal: (a, b) => a.key === b.key,
    });
    combineLatest([toObservable(keyed), refreshes.pipe(startWith(undefined))])
      .pipe(
        switchMap(([{ params: p, key }]) => {
          const held = this.held();
          this.pendingKey.set(key);
          return load(p, held?.key === key ? held.etag : null).pipe(
            map((fetched) => ({ key, fetched })),
            catchError((error: unknown) => {
              this.failure.set(error);
              this.pendingKey.set(undefined);
              return EMPTY;
            }),
          );
        }),
        tap(({ key, fetched }) => {
          this.failure.set(undefined);
          this.pendingKey.set(undefined);
          if (fetched.view !== undefined) this.held.set({ key, view: fetched.view, etag: fetched.etag });
        }),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe();
  }
}
