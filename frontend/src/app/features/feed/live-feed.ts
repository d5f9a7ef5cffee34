import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButton } from '@angular/material/button';
import { RouterLink } from '@angular/router';

import { LiveConnection } from '../../core/live/live-connection';
import { IncidentEvent, isIncidentChange, LiveIncident } from '../../core/live/live-protocol';
import { Problem, problemFrom } from '../../core/problem';
import { FilterBar } from '../../shared/filter-bar/filter-bar';
import { Icon } from '../../shared/icon/icon';
import { ChoiceFilter } from '../../shared/filter-bar/choice-filter';
import {
  IncidentState,
  Priority,
  PRIORITY_CHOICES,
  STATE_CHOICES,
} from '../../shared/incident-rules/priority';
import { PriorityBadge } from '../../shared/incident-rules/priority-badge';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { StateChip } from '../../shared/incident-rules/state-chip';
import { FeedApi } from './feed-api';
import { entryFor, entryFromRest, FeedEntry } from './feed-entry';

/** The feed keeps this many rows (and buffers at most this many while paused); older ones drop off. */
export const MAX_FEED_ENTRIES = 500;

/**
 * Every incident change the user may read, newest first, as it happens: from the `feed` room of
 * the live connection, started with the most recently changed incidents over REST, and caught up
 * over REST after a reconnect that lost events. Pausing holds new rows back (counted) so the list
 * stands still while someone reads it.
 */
@Component({
  selector: 'nx-live-feed',
  imports: [
    DatePipe,
    RouterLink,
    MatButton,
    ChoiceFilter,
    FilterBar,
    Icon,
    PriorityBadge,
    ProblemNotice,
    StateChip,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  templateUrl: './live-feed.html',
  styleUrl: './live-feed.scss',
})
export class LiveFeed {
  private readonly api = inject(FeedApi);
  private readonly live = inject(LiveConnection);

  protected readonly stateChoices = STATE_CHOICES;
  protected readonly priorityChoices = PRIORITY_CHOICES;
  protected readonly connection = this.live.state;

  private readonly entries = signal<readonly FeedEntry[]>([]);
  /** Rows that arrived while paused, newest first. */
  private readonly held = signal<readonly FeedEntry[]>([]);
  protected readonly paused = signal(false);
  protected readonly heldCount = computed(() => this.held().length);
  protected readonly loading = signal(true);
  protected readonly problem = signal<Problem | null>(null);

  protected readonly stateFilter = signal<readonly IncidentState[]>([]);
  protected readonly priorityFilter = signal<readonly Priority[]>([]);
  protected readonly hasFilters = computed(
    () => this.stateFilter().length + this.priorityFilter().length > 0,
  );
  protected readonly visible = computed(() => {
    const states = this.stateFilter();
    const priorities = this.priorityFilter();
    return this.entries().filter(
      (e) =>
        (states.length === 0 || states.includes(e.state)) &&
        (priorities.length === 0 || priorities.includes(e.priority)),
    );
  });

  /** The newest version of each incident this page has shown. */
  private readonly known = new Map<string, LiveIncident>();
  /** The newest `updatedAt` seen: a resync asks for what changed since. */
  private newestUpdatedAt: string | null = null;

  constructor() {
    const destroyRef = inject(DestroyRef);
    destroyRef.onDestroy(this.live.watch({ room: 'feed' }));
    this.live.incidentEvents$.pipe(takeUntilDestroyed(destroyRef)).subscribe((event) => {
      this.onEvent(event);
    });
    this.live.resync$.pipe(takeUntilDestroyed(destroyRef)).subscribe((resync) => {
      // On the first connect the gap is only the moment since the page loaded: no "while down".
      this.catchUp(resync.reason === 'subscribed' ? 'recent' : 'missed');
    });
    this.api.recent().subscribe({
      next: (page) => {
        this.loading.set(false);
        const rows = page.items
          .filter((incident) => this.remember(incident))
          .map((i) => entryFromRest(i, 'recent'));
        // Live rows that arrived during the request are newer: the seed goes below them.
        this.entries.update((entries) => [...entries, ...rows].slice(0, MAX_FEED_ENTRIES));
      },
      error: (error: unknown) => {
        this.loading.set(false);
        this.problem.set(problemFrom(error));
      },
    });
  }

  protected setStates(states: readonly IncidentState[]): void {
    this.stateFilter.set(states);
  }

  protected setPriorities(priorities: readonly Priority[]): void {
    this.priorityFilter.set(priorities);
  }

  protected clearFilters(): void {
    this.stateFilter.set([]);
    this.priorityFilter.set([]);
  }

  protected pause(): void {
    this.paused.set(true);
  }

  /** Shows what arrived while paused, on top, and follows the feed again. */
  protected resume(): void {
    const held = this.held();
    this.held.set([]);
    this.paused.set(false);
    this.entries.update((entries) => [...held, ...entries].slice(0, MAX_FEED_ENTRIES));
  }

  private onEvent(event: IncidentEvent): void {
    if (isIncidentChange(event)) {
      if (!this.remember(event.incident)) return;
    }
    const entry = entryFor(event, this.known.get(event.incidentId));
    if (entry) {
      this.add(entry);
      return;
    }
    // A comment or warning about an incident this page has not seen yet: read it first.
    this.api.incident(event.incidentId).subscribe({
      next: (incident) => {
        this.remember(incident);
        const later = entryFor(event, this.known.get(incident.id) ?? incident);
        if (later) this.add(later);
      },
      error: () => undefined, // no longer readable: no row
    });
  }

  /** After events may have been lost: one row per incident changed since the newest change seen. */
  private catchUp(kind: 'recent' | 'missed'): void {
    const since = this.newestUpdatedAt;
    if (since === null) return;
    this.api.changedSince(since).subscribe({
      next: (changed) => {
        // Newest first from the API; added oldest first so the newest ends on top.
        const missed = changed.filter((incident) => this.remember(incident)).reverse();
        for (const incident of missed) this.add(entryFromRest(incident, kind));
      },
      error: (error: unknown) => {
        this.problem.set(problemFrom(error));
      },
    });
  }

  /** Records `incident` if it is newer than what the page knows; false for a stale copy. */
  private remember(incident: LiveIncident): boolean {
    const known = this.known.get(incident.id);
    if (known && known.version >= incident.version) return false;
    this.known.set(incident.id, incident);
    if (this.newestUpdatedAt === null || incident.updatedAt > this.newestUpdatedAt) {
      this.newestUpdatedAt = incident.updatedAt;
    }
    return true;
  }

  private add(entry: FeedEntry): void {
    const target = this.paused() ? this.held : this.entries;
    target.update((entries) => [entry, ...entries].slice(0, MAX_FEED_ENTRIES));
  }
}
