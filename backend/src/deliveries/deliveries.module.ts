import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { UnitOfWork } from '../common/database/unit-of-work';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesService } from './deliveries.service';
import { Delivery } from './delivery.entity';
import { DeliveryConsumers } from './delivery-consumers';
import { DeliveryWorker } from './delivery-worker';
import { StoredEvent } from './outbox-event.entity';
import { Outbox } from './outbox';

/**
 * The transactional outbox and delivery ledger. Global, because the publisher (Incidents) and
 * every consumer module (Gateway, Slack, ServiceNow) need it and it depends on none of them:
 * publishers use Outbox, consumers register with DeliveryConsumers, pages read DeliveriesService.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([StoredEvent, Delivery]), AuditModule],
  controllers: [DeliveriesController],
  providers: [Outbox, DeliveryConsumers, DeliveriesService, DeliveryWorker, UnitOfWork],
  exports: [Outbox, DeliveryConsumers, DeliveriesService],
})
export class DeliveriesModule {}
