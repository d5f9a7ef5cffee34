import { Module, type OnModuleInit } from '@nestjs/common';
import { EventCatalogue } from '../../deliveries/event-catalogue';
import { GatewayModule } from '../gateway.module';
import { LiveEventReaders } from '../live-event-readers';

/** An event type only admins may read, as a future admin-only type would be declared. */
export const ADMIN_ONLY_EVENT = 'probe.admin_notice';
/** An event type nobody declared readers for. */
export const UNDECLARED_EVENT = 'probe.undeclared';

/** The probe's events, declared the way a feature module declares its catalogue. */
export const LIVE_PROBE_EVENTS = new EventCatalogue<{
  [ADMIN_ONLY_EVENT]: { 1: { readonly secret: string } };
  [UNDECLARED_EVENT]: { 1: { readonly secret: string } };
}>({ [ADMIN_ONLY_EVENT]: [1], [UNDECLARED_EVENT]: [1] });

/** Declares the probe's event type the way a feature module declares its own. */
@Module({ imports: [GatewayModule] })
export class LiveProbeModule implements OnModuleInit {
  constructor(private readonly readers: LiveEventReaders) {}

  onModuleInit(): void {
    this.readers.allow([ADMIN_ONLY_EVENT], ['admin']);
  }
}
