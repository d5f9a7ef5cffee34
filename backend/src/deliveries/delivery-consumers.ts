import { Injectable, Logger } from '@nestjs/common';
import { DEFAULT_MAX_ATTEMPTS } from './delivery-queue';
import type { OutboxEvent } from './outbox';

/** An event as a consumer receives it: what was published, plus its id and time. */
export interface DeliveredEvent extends OutboxEvent {
  readonly id: string;
  /** ISO 8601. */
  readonly occurredAt: string;
}

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
 * a consumer must tolerate seeing the same idempotency key twice.
 */
export interface DeliveryConsumer {
  /** Stable: it is part of every idempotency key and of the ledger rows. */
  readonly name: string;
  readonly eventTypes: readonly string[] | '*';
  /** Attempts before the delivery is `dead` (default 8; graphile-worker's back-off between). */
  readonly maxAttempts?: number;
  /** Resolve when the event is handled; throw to have it retried. */
  handle(event: DeliveredEvent, context: DeliveryContext): Promise<void>;
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
    this.byName.set(consumer.name, consumer);
    this.logger.log(`Delivery consumer "${consumer.name}" registered`);
  }

  get(name: string): DeliveryConsumer | undefined {
    return this.byName.get(name);
  }

  /** The consumers that want events of this type, in registration order. */
  subscribedTo(type: string): DeliveryConsumer[] {
    return [...this.byName.values()].filter((c) => c.eventTypes === '*' || c.eventTypes.includes(type));
  }
}
