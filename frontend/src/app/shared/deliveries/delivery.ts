// The outbox's deliveries as the API shows them (docs/deliveries.md): owned by no one feature,
// since the admin ledger lists them all and an incident's page shows its own.
import { type ApiSchema, enumValues } from '../../core/api/api-schema';

/**
 * One side effect of an incident change for one consumer (outbox + worker). `stalled`: pending
 * or failed, and nothing will attempt it soon (docs/deliveries.md, "Stalled deliveries").
 */
export type DeliveryView = ApiSchema<'DeliveryView'>;
export type DeliveryStatus = DeliveryView['status'];

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  failed: 'Failed',
  dead: 'Dead',
};
export const DELIVERY_STATUSES = enumValues(DELIVERY_STATUS_LABELS);
