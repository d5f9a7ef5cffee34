/** Who caused an event: a user, an API key, the system, or an actor of Slack or ServiceNow. */
export interface EventActor {
  readonly type: string;
  readonly id: string | null;
  readonly label: string | null;
}

/** What an event is about and who caused it: the same for every event type. */
export interface EventSubject {
  /** 'incident' */
  readonly aggregateType: string;
  /** uuid */
  readonly aggregateId: string;
  /** The aggregate's version after the change. */
  readonly aggregateVersion: number;
  readonly actor: EventActor;
}

/**
 * An event as a consumer receives it: its subject, its payload in one schema version (the newest
 * stored one this consumer handles), its id and time. Typed consumers (`consumerOf`) get `T`, `V`
 * and `P` narrowed to what they subscribed to.
 */
export interface DeliveredEvent<
  T extends string = string,
  V extends number = number,
  P extends object = object,
> extends EventSubject {
  readonly id: string;
  readonly type: T;
  /** The schema version `payload` follows (docs/events.md). */
  readonly schemaVersion: V;
  readonly payload: P;
  /** ISO 8601. */
  readonly occurredAt: string;
}
