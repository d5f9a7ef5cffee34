import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { Inbox } from './inbox';
import { InboxController } from './inbox.controller';
import { InboxDispatcher } from './inbox-dispatcher';
import { InboundHandlers } from './inbox-handlers';
import { InboxProcessor } from './inbox-processor';
import { InboxRetention } from './inbox-retention';
import { InboxService } from './inbox.service';

/**
 * The one inbox for every inbound source (webhook producers, later ServiceNow webhooks and Slack
 * events): store before acknowledging, recognise duplicates, process in order per key on the job
 * queue (DeliveriesModule's worker), retry, replay. It knows no source: each registers an
 * InboundHandler for its channel and hands its requests to Inbox.receive.
 */
@Module({
  imports: [DeliveriesModule, AuditModule],
  controllers: [InboxController],
  providers: [Inbox, InboxDispatcher, InboundHandlers, InboxProcessor, InboxRetention, InboxService],
  exports: [Inbox, InboundHandlers, InboxService],
})
export class InboxModule {}
