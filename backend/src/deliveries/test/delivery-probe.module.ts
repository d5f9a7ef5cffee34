import { Module, type OnModuleInit } from '@nestjs/common';
import { DeliveryConsumers, type DeliveryConsumer, type DeliveryContext } from '../delivery-consumers';
import { DeliveriesModule } from '../deliveries.module';
import type { DeliveredEvent } from '../domain-event';
import { EventCatalogue } from '../event-catalogue';
import { PermanentDeliveryError } from '../permanent-delivery-error';

/** What the probes publish (`anEvent`), declared the way a feature module declares its catalogue. */
export interface ProbeChangedV1 {
  readonly title: string;
  readonly state: string;
}

export type ProbeEventPayloads = {
  'probe.changed': { 1: ProbeChangedV1 };
  'probe.other': { 1: ProbeChangedV1 };
};

export type ProbeEventType = keyof ProbeEventPayloads;

export const PROBE_EVENTS = new EventCatalogue<ProbeEventPayloads>({
  'probe.changed': [1],
  'probe.other': [1],
});

export interface Received {
  readonly event: DeliveredEvent;
  readonly idempotencyKey: string;
  readonly attempt: number;
}

/**
 * A consumer a test steers per aggregate: succeed, fail the next n attempts, or hold an attempt
 * until released. Module state outlives an app, so a restarted app sees the same consumers.
 */
export class ProbeConsumer implements DeliveryConsumer {
  readonly received: Received[] = [];
  private readonly failuresLeft = new Map<string, number>();
  private readonly refusals = new Map<string, string>();
  private readonly holds = new Map<string, { entered: () => void; release: Promise<void> }>();

  constructor(
    readonly name: string,
    readonly events: DeliveryConsumer['events'],
    readonly maxAttempts?: number,
  ) {}

  /** The next `times` attempts for this aggregate fail (Infinity: until recover()). */
  failNext(aggregateId: string, times: number): void {
    this.failuresLeft.set(aggregateId, times);
  }

  recover(aggregateId: string): void {
    this.failuresLeft.delete(aggregateId);
    this.refusals.delete(aggregateId);
  }

  /** Every attempt for this aggregate throws PermanentDeliveryError(message) until recover(). */
  refusePermanently(aggregateId: string, message: string): void {
    this.refusals.set(aggregateId, message);
  }

  /** The next attempt for this aggregate waits; resolves `entered` once it started. */
  hold(aggregateId: string): { entered: Promise<void>; release: () => void } {
    let release!: () => void;
    let entered!: () => void;
    const enteredPromise = new Promise<void>((r) => (entered = r));
    this.holds.set(aggregateId, { entered, release: new Promise<void>((r) => (release = r)) });
    return { entered: enteredPromise, release };
  }

  receivedFor(aggregateId: string): Received[] {
    return this.received.filter((r) => r.event.aggregateId === aggregateId);
  }

  async handle(event: DeliveredEvent, context: DeliveryContext): Promise<void> {
    this.received.push({ event, idempotencyKey: context.idempotencyKey, attempt: context.attempt });
    const hold = this.holds.get(event.aggregateId);
    if (hold) {
      this.holds.delete(event.aggregateId);
      hold.entered();
      await hold.release;
    }
    const refusal = this.refusals.get(event.aggregateId);
    if (refusal !== undefined) throw new PermanentDeliveryError(refusal);
    const left = this.failuresLeft.get(event.aggregateId) ?? 0;
    if (left > 0) {
      this.failuresLeft.set(event.aggregateId, left - 1);
      throw new Error(`${this.name} refused attempt ${context.attempt}`);
    }
  }
}

/** Every event; default max attempts (8). */
export const probeAll = new ProbeConsumer('probe-all', '*');
/** Only probe.changed events (v1); dead after 3 attempts. */
export const probeChanges = new ProbeConsumer('probe-changes', { 'probe.changed': [1] }, 3);

/** Registers the probe consumers the way a feature module registers its own. */
@Module({ imports: [DeliveriesModule] })
export class DeliveryProbeModule implements OnModuleInit {
  constructor(private readonly consumers: DeliveryConsumers) {}

  onModuleInit(): void {
    this.consumers.register(probeAll);
    this.consumers.register(probeChanges);
  }
}
