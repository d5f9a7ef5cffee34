import { computed, DestroyRef, inject, linkedSignal, signal, Signal, WritableSignal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';

import { LiveConnection } from '../../core/live/live-connection';
import { isIncidentChange } from '../../core/live/live-protocol';
import { Session } from '../../core/session/session';
import { IncidentQuery, IncidentView } from './incident';
import { IncidentsApi } from './incidents-api';

/** How long a row stays highlighted after a live change (the CSS animation's length). */
export const HIGHLIGHT_MS = 2000;

/** Sorts under which a newly opened incident belongs at the top of the list. */
const NEWEST_FIRST: ReadonlySet<IncidentQuery['sort']> = new Set(['-openedAt', '-updatedAt']);

/** Whether `incident` passes the list's filters, as the API would judge it (the search roughly). */
export function matchesQuery(incident: IncidentView, query: IncidentQuery, me: string | null): boolean {
  if (query.state.length && !query.state.includes(incident.state)) return false;
  if (query.priority.length && !query.priority.includes(incident.priority)) return false;
  if (query.source && incident.source !== query.source) return false;
  if (query.assignee === 'me' && (me === null || incident.assignee?.id !== me)) return false;
  if (query.assignee === 'none' && incident.assignee !== null) return false;
  const q = query.q.trim().toLowerCase();
  if (q) {
    const text = [incident.number, incident.externalNumber ?? '', incident.title, incident.description]
      .join('\n')
      .toLowerCase();
    if (!text.includes(q)) return false;
  }
  return true;
}

/**
 * The incident list's rows kept current by the live connection: changed rows are replaced in
 * place (and highlighted briefly), newly opened incidents that pass the filters go on top when
 * the list is sorted newest first, and after a reconnect that lost events the incidents changed
 * since the newest change seen are fetched and applied the same way. Create it in an injection
 * context; `base` is what the list loaded over REST, `query` its filters.
 */
export class LiveIncidentRows {
  private readonly live = inject(LiveConnection);
  private readonly api = inject(IncidentsApi);
  private readonly session = inject(Session);

  /** Newer versions of listed incidents, and new incidents, since the list was loaded; per query. */
  private readonly newer: WritableSignal<ReadonlyMap<string, IncidentView>>;
  private readonly added: WritableSignal<readonly IncidentView[]>;
  private readonly flashing = signal<ReadonlySet<string>>(new Set());
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** The rows to show: `base` with live changes applied, new incidents on top. */
  readonly rows: Signal<readonly IncidentView[]>;
  /** Ids of the rows changed a moment ago. */
  readonly highlighted: Signal<ReadonlySet<string>> = this.flashing.asReadonly();

  constructor(
    private readonly base: Signal<readonly IncidentView[]>,
    private readonly query: Signal<IncidentQuery>,
  ) {
    this.newer = linkedSignal<IncidentQuery, ReadonlyMap<string, IncidentView>>({
      source: query,
      computation: () => new Map(),
    });
    this.added = linkedSignal<IncidentQuery, readonly IncidentView[]>({
      source: query,
      computation: () => [],
    });
    this.rows = computed(() => {
      const newer = this.newer();
      const listed = this.base().map((row) => {
        const live = newer.get(row.id);
        return live && live.version > row.version ? live : row;
      });
      const ids = new Set(listed.map((row) => row.id));
      const added = this.added()
        .filter((row) => !ids.has(row.id))
        .map((row) => {
          const live = newer.get(row.id);
          return live && live.version > row.version ? live : row;
        });
      return [...added, ...listed];
    });

    const destroyRef = inject(DestroyRef);
    destroyRef.onDestroy(this.live.watch({ room: 'feed' }));
    destroyRef.onDestroy(() => {
      for (const timer of this.timers.values()) clearTimeout(timer);
    });
    this.live.incidentEvents$.pipe(takeUntilDestroyed(destroyRef)).subscribe((event) => {
      if (isIncidentChange(event)) this.apply(event.incident, event.type === 'incident.created');
    });
    this.live.resync$.pipe(takeUntilDestroyed(destroyRef)).subscribe(() => {
      this.catchUp();
    });
  }

  /** The newest `updatedAt` among the rows: a resync asks for what changed since. */
  newestUpdatedAt(): string | null {
    let newest: string | null = null;
    for (const row of this.rows()) if (newest === null || row.updatedAt > newest) newest = row.updatedAt;
    return newest;
  }

  private apply(incident: IncidentView, created: boolean): void {
    const current = this.rows().find((row) => row.id === incident.id);
    if (current) {
      if (incident.version <= current.version) return;
      this.newer.update((map) => new Map(map).set(incident.id, incident));
      this.flash(incident.id);
      return;
    }
    const query = this.query();
    const me = this.session.user()?.id ?? null;
    if (created && NEWEST_FIRST.has(query.sort) && matchesQuery(incident, query, me)) {
      this.added.update((rows) => [incident, ...rows]);
      this.flash(incident.id);
    }
  }

  private catchUp(): void {
    const since = this.newestUpdatedAt();
    if (since === null) return;
    const query = this.query();
    this.api.changedSince(since).subscribe({
      next: (changed) => {
        if (this.query() !== query) return;
        // Oldest first, so the newest new incident ends on top.
        for (const incident of [...changed].reverse()) {
          this.apply(incident, incident.createdAt >= since);
        }
      },
      error: () => undefined, // the next resync or a reload catches up
    });
  }

  private flash(id: string): void {
    clearTimeout(this.timers.get(id));
    this.flashing.update((ids) => new Set(ids).add(id));
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        this.flashing.update((ids) => {
          const next = new Set(ids);
          next.delete(id);
          return next;
        });
      }, HIGHLIGHT_MS),
    );
  }
}
