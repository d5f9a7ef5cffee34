import { DestroyRef, inject, Injectable, signal } from '@angular/core';

/** How often relative times ("due in 3 hours") are brought up to date. */
export const CLOCK_TICK_MS = 30_000;

/** The current time as a signal, so relative times on screen age without a reload. */
@Injectable({ providedIn: 'root' })
export class Clock {
  private readonly current = signal(Date.now());
  readonly now = this.current.asReadonly();

  constructor() {
    const timer = setInterval(() => {
      this.current.set(Date.now());
    }, CLOCK_TICK_MS);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(timer);
    });
  }
}
