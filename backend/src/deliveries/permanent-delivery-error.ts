/**
 * Thrown by a consumer when retrying cannot help (the far side refused the request for good: an
 * ACL, a data policy, a malformed request). The worker marks the delivery `dead` at once with this
 * message, instead of retrying it up to maxAttempts; it stays in the ledger, replayable once the
 * cause is fixed (POST /api/deliveries/:id/replay).
 */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}
