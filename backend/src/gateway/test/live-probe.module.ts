import { Module, type OnModuleInit } from '@nestjs/common';
import { GatewayModule } from '../gateway.module';
import { LiveEventReaders } from '../live-event-readers';

/** An event type only admins may read, as a future admin-only type would be declared. */
export const ADMIN_ONLY_EVENT = 'probe.admin_notice';
/** An event type nobody declared readers for. */
export const UNDECLARED_EVENT = 'probe.undeclared';

/** Declares the probe's event type the way a feature module declares its own. */
@Module({ imports: [GatewayModule] })
export class LiveProbeModule implements OnModuleInit {
  constructor(private readonly readers: LiveEventReaders) {}

  onModuleInit(): void {
    this.readers.allow([ADMIN_ONLY_EVENT], ['admin']);
  }
}
