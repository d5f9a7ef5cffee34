import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesService } from './deliveries.service';
import { Delivery } from './delivery.entity';
import { DeliveryConsumers } from './delivery-consumers';
import { DeliveryWorker } from './delivery-worker';
import { StoredEvent } from './outbox-event.entity';
import { Outbox } from './outbox';
import { WorkerTasks } from './worker-tasks';

/**
 * The transactional outbox and delivery ledger. It depends on no publisher or consumer; each
 * imports it: publishers (Incidents) use Outbox, consumers (Gateway, later Slack and ServiceNow)
 * register with DeliveryConsumers, pages read DeliveriesService. Other queued work (the inbox)
 * adds its tasks to the same worker through WorkerTasks.
 */
@Module({
  imports: [TypeOrmModule.forFeature([StoredEvent, Delivery]), AuditModule],
  controllers: [DeliveriesController],
  providers: [Outbox, DeliveryConsumers, DeliveriesService, DeliveryWorker, WorkerTasks],
  exports: [Outbox, DeliveryConsumers, DeliveriesService, WorkerTasks],
})
export class DeliveriesModule {}
