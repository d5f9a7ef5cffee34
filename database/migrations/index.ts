import { DatabaseExtensions1764100000000 } from './1764100000000-database-extensions';
import { UsersAndAuth1764200000000 } from './1764200000000-users-and-auth';
import { AuditLog1764200000001 } from './1764200000001-audit-log';
import { Incidents1764300000000 } from './1764300000000-incidents';
import { OutboxAndDeliveries1764300000001 } from './1764300000001-outbox-and-deliveries';
import { AuthAccessNotifications1764400000000 } from './1764400000000-auth-access-notifications';
import { DeliveryWorkerPools1764410000000 } from './1764410000000-delivery-worker-pools';
import { EventSchemaVersions1764500000000 } from './1764500000000-event-schema-versions';
import { InboundEvents1764600000000 } from './1764600000000-inbound-events';
import { InboxLeanWrites1764700000000 } from './1764700000000-inbox-lean-writes';
import { ServiceNowConnection1764800000000 } from './1764800000000-servicenow-connection';
import { ServiceNowSync1764800000001 } from './1764800000001-servicenow-sync';
import { IncidentExternalReference1764800000002 } from './1764800000002-incident-external-reference';
import { ServiceNowFirstImport1764806130000 } from './1764806130000-servicenow-first-import';
import { ServiceNowAssignmentGroups1764810000000 } from './1764810000000-servicenow-assignment-groups';
import { SlackPlatform1764900000000 } from './1764900000000-slack-platform';
import { SlackNotifications1764910000000 } from './1764910000000-slack-notifications';
import { SlackUserLinks1764920000000 } from './1764920000000-slack-user-links';
import { AnalyticsViews1764930000000 } from './1764930000000-analytics-views';
import { LiveNotifications1765100000000 } from './1765100000000-live-notifications';

/** Every migration, oldest first. Listed explicitly so src (Jest) and dist (node) load the same set. */
export const migrations = [
  DatabaseExtensions1764100000000,
  UsersAndAuth1764200000000,
  AuditLog1764200000001,
  Incidents1764300000000,
  OutboxAndDeliveries1764300000001,
  AuthAccessNotifications1764400000000,
  DeliveryWorkerPools1764410000000,
  EventSchemaVersions1764500000000,
  InboundEvents1764600000000,
  InboxLeanWrites1764700000000,
  ServiceNowConnection1764800000000,
  ServiceNowSync1764800000001,
  IncidentExternalReference1764800000002,
  ServiceNowFirstImport1764806130000,
  ServiceNowAssignmentGroups1764810000000,
  SlackPlatform1764900000000,
  SlackNotifications1764910000000,
  SlackUserLinks1764920000000,
  AnalyticsViews1764930000000,
  LiveNotifications1765100000000,
];
