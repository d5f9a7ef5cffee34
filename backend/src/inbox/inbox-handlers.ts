import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A stored inbound event as its channel's handler gets it. */
export interface InboundEvent {
  readonly id: string;
  readonly channel: string;
  readonly scope: string;
  readonly sourceId: string | null;
  readonly sourceLabel: string;
  readonly dedupKey: string | null;
  readonly receivedAt: Date;
  /** The bytes as received (the signature was checked over them). */
  readonly rawBody: Buffer;
  /** 1 on the first attempt. */
  readonly attempt: number;
}

/** What processing did to one incident (an Alertmanager group can touch several). */
export interface InboundEffect {
  readonly outcome: 'opened' | 'grouped' | 'acknowledged' | 'resolved' | 'ignored' | (string & {});
  readonly incidentId: string | null;
  readonly incidentNumber: string | null;
  readonly dedupKey: string | null;
}

/**
 * Processes one channel's events. `handle` runs inside the transaction that marks the event
 * processed and records its effects, so whatever it writes through `manager` commits exactly
 * once with them; throwing rolls all of it back and the event is retried.
 */
export interface InboundHandler {
  readonly channel: string;
  handle(event: InboundEvent, manager: EntityManager): Promise<InboundEffect[]>;
}

const CHANNEL = /^[a-z][a-z0-9_-]{0,31}$/;

/** The handlers of this process, one per channel; modules register theirs in `onModuleInit`. */
@Injectable()
export class InboundHandlers {
  private readonly byChannel = new Map<string, InboundHandler>();

  register(handler: InboundHandler): void {
    if (!CHANNEL.test(handler.channel))
      throw new Error(`Inbox channel "${handler.channel}" is not a plain name`);
    if (this.byChannel.has(handler.channel)) {
      throw new Error(`An inbox handler for "${handler.channel}" is already registered`);
    }
    this.byChannel.set(handler.channel, handler);
  }

  get(channel: string): InboundHandler | undefined {
    return this.byChannel.get(channel);
  }
}
