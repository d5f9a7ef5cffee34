import { DOCUMENT } from '@angular/common';
import { inject, InjectionToken } from '@angular/core';
import { toObservable } from '@angular/core/rxjs-interop';
import {
  distinctUntilChanged,
  EMPTY,
  fromEvent,
  interval,
  map,
  merge,
  type Observable,
  startWith,
  switchMap,
  timer,
} from 'rxjs';
import { LiveConnection } from '../../core/live/live-connection';

/** How often the dashboard looks for fresher figures while it is visible (the views refresh every 60 s). */
export const ANALYTICS_POLL_MS = 60_000;

/**
 * When the dashboard re-reads its answers: whenever the gateway announces a refresh of the views
 * (`analytics.refreshed` on the live socket), and, while the socket is not live (connecting,
 * reconnecting, offline), a poll while the page is visible instead. Re-reads are cheap: they send
 * the ETag and a 304 keeps what is shown.
 */
export const ANALYTICS_REFRESHES = new InjectionToken<Observable<unknown>>('analytics refreshes', {
  providedIn: 'root',
  factory: () => {
    const live = inject(LiveConnection);
    const poll = pollWhileVisible(inject(DOCUMENT), ANALYTICS_POLL_MS);
    const pollUnlessLive = toObservable(live.state).pipe(
      map((state) => state === 'live'),
      distinctUntilChanged(),
      switchMap((isLive) => (isLive ? EMPTY : poll)),
    );
    return merge(live.analyticsRefreshed$, pollUnlessLive);
  },
});

/**
 * Ticks every `periodMs` while the document is visible, none while hidden (a background tab costs
 * the API nothing), and one at once on coming back into view, then every `periodMs` again.
 */
export function pollWhileVisible(doc: Document, periodMs: number): Observable<void> {
  const visible = (): boolean => doc.visibilityState !== 'hidden';
  return fromEvent(doc, 'visibilitychange').pipe(
    map(visible),
    startWith(visible()),
    distinctUntilChanged(),
    // The first period needs no immediate tick: the page has just read its answers.
    switchMap((isVisible, index) =>
      !isVisible ? EMPTY : index === 0 ? interval(periodMs) : timer(0, periodMs),
    ),
    map(() => undefined),
  );
}
