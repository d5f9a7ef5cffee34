import { Injectable, Logger } from '@nestjs/common';
import { DEFAULT_MAX_ATTEMPTS } from './delivery-queue';
import type { DeliveredEvent } from './domain-event';
import type { EventCatalogue, EventPayloads, VersionOf } from './event-catalogue';

export interface DeliveryContext {
  /** `<consumer>:<eventId>`: the same on every attempt and replay; pass it on to the far side. */
  readonly idempotencyKey: string;
  /** 1 on the first attempt; starts again at 1 after a replay. */
  readonly attempt: number;
  /** Aborted when the app shuts down and the attempt overruns its share of SHUTDOWN_TIMEOUT_MS. */
  readonly signal?: AbortSignal;
}

/**
 * Something that must learn of events: Slack, ServiceNow, the live feed. Each consumer gets its
 * own job per event, so one that fails or is slow holds up no other. Delivery is at least once:
 * a consumer must tolerate seeing the same idempotency key twice. Build one with `consumerOf`,
 * which types `handle`; this untyped form is what the registry keeps.
 */
export interface DeliveryConsumer {
  /** Stable: it is part of every idempotency key and of the ledger rows. */
  readonly name: string;
  /**
   * The event types it receives and, for each, the schema versions it understands; each event
   * arrives in the newest stored version it names. `'*'`: every type, in its newest version (a
   * pass-through such as the live feed).
   */
  readonly events: Readonly<Record<string, readonly number[]>> | '*';
  /** Attempts before the delivery is `dead` (default 8; graphile-worker's back-off between). */
  readonly maxAttempts?: number;
  /** Resolve when the event is handled; throw to have it retried. */
  handle(event: DeliveredEvent, context: DeliveryContext): Promise<void>;
}

/** Which schema versions of which of catalogue C's event types a consumer handles: `{ 'incident.created': [1] }`. */
export type Subscription<C extends EventPayloads> = {
  readonly [K in keyof C & string]?: readonly VersionOf<C, K>[];
};

/**
 * What a consumer subscribed with S receives: one member per type and version it named,
 * discriminated by `type` (and `schemaVersion`), so reading a field its event does not have is a
 * compile error.
 */
export type SubscribedEvent<C extends EventPayloads, S extends Subscription<C>> = {
  [K in keyof S & keyof C & string]: NonNullable<S[K]> extends readonly (infer V)[]
    ? V extends VersionOf<C, K>
      ? DeliveredEvent<K, V, C[K][V]>
      : never
    : never;
}[keyof S & keyof C & string];

export interface TypedDeliveryConsumer<C extends EventPayloads, S extends Subscription<C>> {
  readonly name: string;
  readonly events: S;
  readonly maxAttempts?: number;
  handle(event: SubscribedEvent<C, S>, context: DeliveryContext): Promise<void>;
}

/**
 * A consumer of named event types of one catalogue, with `handle` typed by what it subscribed to:
 *
 *   consumerOf(INCIDENT_EVENTS, {
 *     name: 'slack',
 *     events: { 'incident.created': [1], 'incident.commented': [1] },
 *     handle: async (event) => { if (event.type === 'incident.created') post(event.payload.incident); },
 *   })
 *
 * The worker only ever hands it an event of a type and version it named (see DeliveryConsumers).
 */
export function consumerOf<
  C extends EventPayloads,
  const S extends Subscription<C> & { readonly [K in Exclude<keyof S, keyof C>]: never },
>(catalogue: EventCatalogue<C>, consumer: TypedDeliveryConsumer<C, S>): DeliveryConsumer {
  for (const [type, versions] of Object.entries<readonly number[] | undefined>(consumer.events)) {
    const published = catalogue.versionsOf(type);
    const unknown = (versions ?? []).filter((v) => !published?.includes(v));
    if (!published || !versions?.length || unknown.length) {
      throw new Error(
        `Delivery consumer "${consumer.name}" subscribes to ${type} ${versions?.length ? `v${versions.join(', v')}` : 'in no version'}, which its catalogue does not publish`,
      );
    }
  }
  return {
    name: consumer.name,
    events: consumer.events,
    ...(consumer.maxAttempts === undefined ? {} : { maxAttempts: consumer.maxAttempts }),
    // Sound because the worker picks the version from this very subscription (versionFor).
    handle: (event, context) => consumer.handle(event as SubscribedEvent<C, S>, context),
  };
}

const CONSUMER_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The consumers of this process. Modules register theirs in `onModuleInit`; the worker starts only
 * after every module is initialised (`onApplicationBootstrap`), so none misses a job.
 */
@Injectable()
export class DeliveryConsumers {
  private readonly logger = new Logger(DeliveryConsumers.name);
  private readonly byName = new Map<string, DeliveryConsumer>();

  register(consumer: DeliveryConsumer): void {
    if (!CONSUMER_NAME.test(consumer.name)) {
      throw new Error(
        `Delivery consumer name "${consumer.name}" must be lower-case letters, digits and dashes`,
      );
    }
    if (this.byName.has(consumer.name)) {
      throw new Error(`A delivery consumer named "${consumer.name}" is already registered`);
    }
    const max = consumer.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(max) || max < 1 || max > 32767) {
      throw new Error(`Delivery consumer "${consumer.name}": maxAttempts must be an integer from 1 to 32767`);
    }
    if (consumer.events !== '*') {
      for (const [type, versions] of Object.entries(consumer.events)) {
        if (versions.length === 0 || !versions.every((v) => Number.isInteger(v) && v >= 1)) {
          throw new Error(
            `Delivery consumer "${consumer.name}": ${type} needs one or more schema versions (integers from 1)`,
          );
        }
      }
    }
    this.byName.set(consumer.name, consumer);
    this.logger.log(`Delivery consumer "${consumer.name}" registered`);
  }

  get(name: string): DeliveryConsumer | undefined {
    return this.byName.get(name);
  }

  /** The consumers that want events of this type (in any version), in registration order. */
  subscribedTo(type: string): DeliveryConsumer[] {
    return [...this.byName.values()].filter((c) => versionsHandled(c, type) !== undefined);
  }
}

/** The versions of `type` the consumer handles; `'*'` for any; undefined when it does not take the type. */
function versionsHandled(consumer: DeliveryConsumer, type: string): readonly number[] | '*' | undefined {
  if (consumer.events === '*') return '*';
  return Object.hasOwn(consumer.events, type) ? consumer.events[type] : undefined;
}

/**
 * The version of an event this consumer gets: the newest of the stored ones (`stored`) it handles,
 * or undefined when it handles none of them (an event of a version this process's code does not
 * know: the worker fails the attempt, see docs/events.md).
 */
export function versionFor(
  consumer: DeliveryConsumer,
  type: string,
  stored: readonly number[],
): number | undefined {
  const handled = versionsHandled(consumer, type);
  const usable = handled === '*' ? stored : stored.filter((v) => handled?.includes(v));
  return usable.length ? Math.max(...usable) : undefined;
}

/** "v1, v2", or "no version", for messages. */
export function describeVersions(consumer: DeliveryConsumer, type: string): string {
  const handled = versionsHandled(consumer, type);
  if (handled === '*') return 'every version';
  return handled?.length ? `v${handled.join(', v')}` : 'no version';
}
