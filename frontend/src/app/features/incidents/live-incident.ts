import { DestroyRef, effect, inject, Signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';

import { LiveConnection } from '../../core/live/live-connection';
import { IncidentCommentedEvent, isIncidentChange, LiveActor } from '../../core/live/live-protocol';
import { IncidentView } from './incident';

export interface IncidentFollower {
  /**
   * A version of the incident newer than any seen on the wire; the caller compares it with what it
   * shows. `by`: who made the change.
   */
  readonly changed: (incident: IncidentView, by: LiveActor) => void;
  readonly commented?: (event: IncidentCommentedEvent) => void;
  /** Events may have been lost: fetch the incident again. */
  readonly resync: () => void;
}

/**
 * Follows one incident over the live connection while the calling page lives: joins its room
 * (`incident:<id>`, again when `id()` changes) and hands its events to `follower`. Call in an
 * injection context; `id()` is the incident's id (not its number), undefined while loading.
 */
export function followIncident(id: Signal<string | undefined>, follower: IncidentFollower): void {
  const live = inject(LiveConnection);
  const destroyRef = inject(DestroyRef);
  let release: (() => void) | undefined;
  effect(() => {
    const incidentId = id();
    release?.();
    release = incidentId === undefined ? undefined : live.watch({ room: 'incident', incidentId });
  });
  destroyRef.onDestroy(() => release?.());
  live.incidentEvents$.pipe(takeUntilDestroyed(destroyRef)).subscribe((event) => {
    if (event.incidentId !== id()) return;
    if (isIncidentChange(event)) follower.changed(event.incident, event.actor);
    else if (event.type === 'incident.commented') follower.commented?.(event);
  });
  live.resync$.pipe(takeUntilDestroyed(destroyRef)).subscribe(() => {
    if (id() !== undefined) follower.resync();
  });
}
