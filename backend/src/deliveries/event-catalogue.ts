import type { EventSubject } from './domain-event';

/**
 * The payload types of one publisher's events, by event type and schema version, e.g.
 * `{ 'incident.created': { 1: IncidentCreatedV1 } }`. The publishing module declares it (as a type
 * alias: an interface has no index signature); the outbox knows no publisher's types.
 */
export type EventPayloads = { readonly [type: string]: { readonly [version: number]: object } };

/** The schema versions in which catalogue C publishes event type K. */
export type VersionOf<C extends EventPayloads, K extends keyof C> = keyof C[K] & number;

/**
 * An event of catalogue C as its publisher hands it over: its type and its payload in every version
 * the catalogue publishes (one, or two while a breaking change rolls out; docs/events.md). A union
 * discriminated by `type`, so the compiler checks that the payloads belong to the type even where
 * the type is itself chosen at run time (a transition publishes `state_changed` or `updated`).
 */
export type EventBody<C extends EventPayloads> = {
  [K in keyof C & string]: {
    readonly type: K;
    readonly payloads: { readonly [V in VersionOf<C, K>]: C[K][V] };
  };
}[keyof C & string];

export type PublishedEvent<C extends EventPayloads> = EventSubject & EventBody<C>;

/** How an event is stored: its newest version in `payload`, the older ones it is published in beside it. */
export interface StoredPayloads {
  readonly schemaVersion: number;
  readonly payload: object;
  /** By version; null when the event is published in one version only. */
  readonly olderPayloads: Readonly<Record<string, object>> | null;
}

/**
 * The run-time half of a catalogue: which types exist and in which versions each is published.
 * The publishing module owns it (Incidents: `incident.events.ts`); publishers and consumers hand it
 * to the outbox, which is how the types of C reach them without the outbox importing the module.
 */
export class EventCatalogue<C extends EventPayloads> {
  /** Type only, never set: carries C to `Outbox.publish` and `consumerOf`. */
  declare readonly payloadTypes: C;

  private readonly versions: ReadonlyMap<string, readonly number[]>;

  constructor(versions: { readonly [K in keyof C & string]: readonly VersionOf<C, K>[] }) {
    this.versions = new Map(
      Object.entries<readonly number[]>(versions).map(([type, list]) => {
        if (list.length === 0 || !list.every((v) => Number.isInteger(v) && v >= 1)) {
          throw new Error(`Event type "${type}" needs one or more schema versions (integers from 1)`);
        }
        return [type, [...new Set(list)].sort((a, b) => b - a)];
      }),
    );
  }

  get types(): (keyof C & string)[] {
    return [...this.versions.keys()];
  }

  /** The versions the type is published in, newest first; undefined for a type not in the catalogue. */
  versionsOf(type: string): readonly number[] | undefined {
    return this.versions.get(type);
  }

  /** Splits an event's payloads for storage; refuses a type or a set of versions the catalogue does not list. */
  stored(event: { readonly type: string; readonly payloads: object }): StoredPayloads {
    const versions = this.versionsOf(event.type);
    if (!versions) throw new Error(`Event type "${event.type}" is not in this catalogue`);
    const given = Object.entries(event.payloads as Readonly<Record<string, object>>);
    const listed = (v: number): boolean => given.some(([key]) => Number(key) === v);
    if (given.length !== versions.length || !versions.every(listed)) {
      throw new Error(
        `Event type "${event.type}" is published in versions ${versions.join(', ')}; got ${given.map(([v]) => v).join(', ')}`,
      );
    }
    const [newest, ...older] = versions as [number, ...number[]];
    const payloadOf = (v: number): object => given.find(([key]) => Number(key) === v)![1];
    return {
      schemaVersion: newest,
      payload: payloadOf(newest),
      olderPayloads: older.length ? Object.fromEntries(older.map((v) => [String(v), payloadOf(v)])) : null,
    };
  }
}
