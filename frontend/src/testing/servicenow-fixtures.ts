// Builders for the ServiceNow connection's answers.
import {
  ServiceNowConflictPolicyView,
  ServiceNowConnectionView,
  ServiceNowHealthView,
  ServiceNowTestResult,
} from '../app/features/admin/integrations/servicenow-api';
import {
  CLOSE_CODES,
  DEFAULT_SERVICENOW_MAPPING,
} from '../app/features/admin/integrations/servicenow-mapping';
import { CloseCodeChoicesView } from '../app/shared/incident-rules/close-code-choices';

/** No instance connected: the API offers our own close codes. */
export function ourChoices(): CloseCodeChoicesView {
  return {
    element: 'close_code',
    source: 'nexecute',
    error: null,
    choices: CLOSE_CODES.map((code) => ({ value: code, label: code, closeCode: code })),
  };
}

/** An instance on the older base list, one value differing from its label. */
export function instanceChoices(): CloseCodeChoicesView {
  return {
    element: 'close_code',
    source: 'servicenow',
    error: null,
    choices: [
      { value: 'Solved (Permanently)', label: 'Solved (Permanently)', closeCode: 'Solution provided' },
      { value: 'workaround', label: 'Solved (Work Around)', closeCode: 'Workaround provided' },
      {
        value: 'Closed/Resolved by Caller',
        label: 'Closed/Resolved by Caller',
        closeCode: 'Resolved by caller',
      },
    ],
  };
}

export function connectionView(overrides: Partial<ServiceNowConnectionView> = {}): ServiceNowConnectionView {
  return {
    configured: true,
    source: 'console',
    instanceUrl: 'https://acme.service-now.com',
    grant: 'password',
    clientId: 'nexecute-client',
    username: 'svc.nexecute',
    hasClientSecret: true,
    hasPassword: true,
    hasWebhookSecret: false,
    defaultAssignmentGroup: 'Service Desk',
    assignmentGroups: {},
    mapping: DEFAULT_SERVICENOW_MAPPING,
    enabled: true,
    updatedAt: '2026-12-01T10:00:00.000Z',
    updatedBy: 'Ada Admin',
    ...overrides,
  };
}

export function unconfiguredConnection(): ServiceNowConnectionView {
  return connectionView({
    configured: false,
    source: null,
    instanceUrl: null,
    clientId: null,
    username: null,
    hasClientSecret: false,
    hasPassword: false,
    hasWebhookSecret: false,
    defaultAssignmentGroup: null,
    enabled: false,
    updatedAt: null,
    updatedBy: null,
  });
}

export function healthView(overrides: Partial<ServiceNowHealthView> = {}): ServiceNowHealthView {
  return {
    calls: [
      {
        operation: 'incident.create',
        count: 120,
        errors: 2,
        p50Ms: 84,
        p95Ms: 310,
        lastError: 'Operation Failed: Data Policy Exception: Close notes are mandatory',
        lastErrorAt: '2026-12-04T04:58:00.000Z',
      },
      {
        operation: 'incident.get',
        count: 40,
        errors: 0,
        p50Ms: 35,
        p95Ms: 60,
        lastError: null,
        lastErrorAt: null,
      },
    ],
    circuit: 'closed',
    tokenExpiresAt: '2026-12-04T05:30:00.000Z',
    refreshTokenExpiresAt: '2099-03-01T00:00:00.000Z',
    lastWebhookAt: '2026-12-04T05:01:00.000Z',
    lastReconciliationAt: '2026-12-04T05:00:00.000Z',
    reconciliationLagSeconds: 95,
    pendingSyncs: 3,
    failedSyncs: 1,
    firstImport: null,
    recentErrors: [
      {
        at: '2026-12-04T04:58:00.000Z',
        operation: 'incident.create',
        status: 403,
        message: 'Operation Failed: Data Policy Exception: Close notes are mandatory',
      },
    ],
    ...overrides,
  };
}

export function conflictPolicyView(): ServiceNowConflictPolicyView {
  return {
    fields: [
      { ours: 'title', theirs: 'short_description', owner: 'last_writer' },
      { ours: 'state', theirs: 'state', owner: 'nexecute' },
      { ours: 'assignmentGroup', theirs: 'assignment_group', owner: 'servicenow' },
    ],
  };
}

export function testResult(overrides: Partial<ServiceNowTestResult> = {}): ServiceNowTestResult {
  return {
    ok: false,
    steps: [
      { step: 'token', ok: true, detail: 'Token issued, expires in 1799 s', durationMs: 212 },
      { step: 'read', ok: true, detail: 'Read INC0010001', durationMs: 95 },
      {
        step: 'write',
        ok: false,
        detail: 'Operation Failed: ACL restricts the record: incident',
        durationMs: 130,
      },
      { step: 'webhook_secret', ok: false, detail: 'No webhook secret is set', durationMs: 0 },
    ],
    ...overrides,
  };
}
