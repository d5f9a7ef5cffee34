import { EventCatalogue } from '../event-catalogue';

/**
 * A publisher's catalogue for the outbox's own specs, during a breaking change of `order.placed`:
 * v2 (cents) published with v1 (a decimal total) alongside. Listed oldest first on purpose.
 */
export type OrderEvents = {
  'order.placed': { 1: { readonly total: number }; 2: { readonly totalCents: number } };
  'order.canceled': { 1: { readonly reason: string } };
};

export const ORDER_EVENTS = new EventCatalogue<OrderEvents>({
  'order.placed': [1, 2],
  'order.canceled': [1],
});
