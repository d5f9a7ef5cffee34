import { DOCUMENT } from '@angular/common';
import { inject, InjectionToken } from '@angular/core';
import {
  distinctUntilChanged,
  EMPTY,
  fromEvent,
  interval,
  map,
  type Observable,
  startWith,
  switchMap,
  timer,
} from 'rxjs';

/** How often the dashboard looks for fresher figures while it is visible (the views refresh every 60 s). */
export const ANALYTICS_POLL_MS = 60_000;

/**
 * When the dashboard re-reads its answers. The one place that decides it: today a poll while the
 * page is visible; once the gateway's `analytics.refreshed` event is available (LiveConnection),
 * this token's factory becomes that event's stream and nothing else changes. Re-reads are cheap:
 * they send the ETag and a 304 keeps what is shown.
 */
export const ANALYTICS_REFRESHES = new InjectionToken<Observable<unknown>>('analytics refreshes', {
  providedIn: 'root',
  factory: () => pollWhileVisible(inject(DOCUMENT), ANALYTICS_POLL_MS),
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
