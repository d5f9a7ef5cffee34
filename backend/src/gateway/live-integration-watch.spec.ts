import type { SyncSummaryView } from '../servicenow/dto/servicenow-sync.view';
import { serviceNowStatusOf } from './live-integration-watch';

const healthy: SyncSummaryView = {
  lastWebhookAt: null,
  lastReconciliationAt: null,
  reconciliationLagSeconds: null,
  pendingSyncs: 0,
  failedSyncs: 0,
  firstImport: { state: 'done', imported: 0, total: 0, startedAt: null, finishedAt: null, lastError: null },
  recentErrors: [],
} as unknown as SyncSummaryView;

describe('serviceNowStatusOf', () => {
  it('is ok with no failures, degraded with failed syncs, down when reconciliation fails', () => {
    expect(serviceNowStatusOf(healthy)).toEqual({ status: 'ok', detail: null });
    const error = { at: null, operation: 'sync INC0001000', status: 403, message: 'refused (403)' };
    expect(serviceNowStatusOf({ ...healthy, failedSyncs: 2, recentErrors: [error] })).toEqual({
      status: 'degraded',
      detail: '2 incident(s) failed to sync: refused (403)',
    });
    const reconciliation = { at: null, operation: 'reconciliation', status: null, message: 'timeout' };
    expect(serviceNowStatusOf({ ...healthy, recentErrors: [reconciliation, error] })).toEqual({
      status: 'down',
      detail: 'timeout',
    });
  });
});
