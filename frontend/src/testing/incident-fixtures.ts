// Builders and DOM steps shared by the incident and delivery specs.
import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';

import { Session } from '../app/core/session/session';
import { UserView } from '../app/core/session/user';
import { IncidentMetadataView, INCIDENT_METADATA_URL } from '../app/shared/incident-rules/incident-metadata';
import { IncidentServiceNowView, IncidentView, TimelineEntryView } from '../app/features/incidents/incident';
import { DeliveryView } from '../app/shared/deliveries/delivery';
import { tokenResponse } from './auth-fixtures';

let sequence = 0;
const uuid = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function incidentView(overrides: Partial<IncidentView> = {}): IncidentView {
  sequence += 1;
  return {
    id: uuid(sequence),
    number: `INC${String(sequence).padStart(7, '0')}`,
    title: `Incident ${sequence}`,
    description: 'Since 09:10 UTC checkout answers 502.',
    state: 'new',
    impact: 2,
    urgency: 2,
    priority: 3,
    category: 'network',
    assignee: null,
    assignmentGroup: 'Network Operations',
    reporter: { id: 'r-1', name: 'Bob Okafor', email: 'bob@example.test' },
    source: 'console',
    closeCode: null,
    closeNotes: null,
    external: { servicenowSysId: null, slackChannel: null, slackTs: null },
    externalSystem: null,
    externalRef: null,
    externalNumber: null,
    openedAt: '2026-11-25T09:12:00.000Z',
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    slaDueAt: '2999-11-25T17:12:00.000Z',
    slaBreached: false,
    version: 1,
    createdAt: '2026-11-25T09:12:00.000Z',
    updatedAt: '2026-11-25T09:12:00.000Z',
    alertCount: 0,
    lastAlertAt: null,
    deliveriesBehind: 0,
    ...overrides,
  };
}

/** `GET /api/incidents/:id/servicenow`; not linked unless overridden. */
export function incidentServiceNowView(
  overrides: Partial<IncidentServiceNowView> = {},
): IncidentServiceNowView {
  return {
    linked: false,
    sysId: null,
    number: null,
    url: null,
    lastSyncedAt: null,
    status: 'not_linked',
    lastError: null,
    ...overrides,
  };
}

export function timelineEntry(overrides: Partial<TimelineEntryView> = {}): TimelineEntryView {
  sequence += 1;
  return {
    id: `t-${String(sequence)}`,
    incidentId: uuid(1),
    kind: 'comment',
    actor: { type: 'user', id: 'u-1', label: 'Ada Admin' },
    at: '2026-11-25T09:20:00.000Z',
    body: null,
    changes: null,
    ...overrides,
  };
}

export function deliveryView(overrides: Partial<DeliveryView> = {}): DeliveryView {
  sequence += 1;
  return {
    id: `d-${String(sequence)}`,
    eventId: `e-${String(sequence)}`,
    eventType: 'incident.created',
    aggregateType: 'incident',
    aggregateId: uuid(1),
    incidentId: uuid(1),
    consumer: 'slack',
    status: 'delivered',
    attempts: 1,
    maxAttempts: 10,
    lastError: null,
    nextAttemptAt: null,
    deliveredAt: '2026-11-25T09:13:00.000Z',
    createdAt: '2026-11-25T09:12:00.000Z',
    updatedAt: '2026-11-25T09:13:00.000Z',
    idempotencyKey: `slack:e-${String(sequence)}`,
    stalled: false,
    ...overrides,
  };
}

/**
 * The rules `GET /api/incidents/metadata` serves (docs/incidents.md), as test data: the lifecycle's
 * moves, a few close codes, the priority matrix.
 */
export function incidentMetadata(): IncidentMetadataView {
  return {
    states: [
      { state: 'new', open: true, next: ['in_progress', 'on_hold', 'resolved', 'canceled'] },
      { state: 'in_progress', open: true, next: ['on_hold', 'resolved', 'canceled'] },
      { state: 'on_hold', open: true, next: ['in_progress', 'resolved', 'canceled'] },
      { state: 'resolved', open: false, next: ['closed', 'in_progress'] },
      { state: 'closed', open: false, next: [] },
      { state: 'canceled', open: false, next: [] },
    ],
    closeCodes: ['Solution provided', 'Workaround provided', 'Duplicate'],
    sources: ['console', 'api', 'slack', 'servicenow', 'webhook'],
    priorityMatrix: ([1, 2, 3] as const).flatMap((impact) =>
      ([1, 2, 3] as const).map((urgency) => ({
        impact,
        urgency,
        priority: (impact + urgency - 1) as 1 | 2 | 3 | 4 | 5,
      })),
    ),
    slaTargets: [
      { priority: 1, resolutionHours: 4 },
      { priority: 2, resolutionHours: 8 },
      { priority: 3, resolutionHours: 24 },
      { priority: 4, resolutionHours: 72 },
      { priority: 5, resolutionHours: 168 },
    ],
  };
}

/** Answers the incident pages' one request for the rules. */
export function answerMetadata(
  backend: HttpTestingController,
  metadata: IncidentMetadataView = incidentMetadata(),
): void {
  backend.expectOne(INCIDENT_METADATA_URL).flush(metadata);
}

/** A problem+json answer for `TestRequest.flush(...problemAnswer(...))`. */
export function problemAnswer(status: number, code: string, detail: string, extra: object = {}) {
  return [
    {
      type: 'about:blank',
      title: status === 409 ? 'Conflict' : 'The API rejected the request',
      status,
      detail,
      instance: '/api/incidents',
      code,
      requestId: 'req-1',
      ...extra,
    },
    { status, statusText: 'Error', headers: { 'content-type': 'application/problem+json' } },
  ] as const;
}

/** Signs `user` in the way a silent refresh does (the Session has no other setter). */
export function signInAs(backend: HttpTestingController, user: UserView): void {
  TestBed.inject(Session).refresh().subscribe();
  backend.expectOne({ method: 'POST', url: '/api/auth/refresh' }).flush(tokenResponse(user));
}

export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Resources count as pending tasks while they load, so `whenStable()` would wait for requests a
// test has yet to answer; these specs tick and yield instead.
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    TestBed.tick();
    await wait(0);
  }
  TestBed.tick();
}

export function click(target: Element | null | undefined): void {
  if (!(target instanceof HTMLElement)) {
    throw new Error('nothing to click');
  }
  target.click();
}

export function byText(selector: string, text: string | RegExp, root: ParentNode = document): HTMLElement {
  const found = Array.from(root.querySelectorAll<HTMLElement>(selector)).find((el) => {
    const content = el.textContent.replace(/\s+/g, ' ').trim();
    return typeof text === 'string' ? content === text : text.test(content);
  });
  if (!found) {
    throw new Error(`no ${selector} with text ${String(text)}`);
  }
  return found;
}

export function queryByText(selector: string, text: string, root: ParentNode = document): HTMLElement | null {
  return (
    Array.from(root.querySelectorAll<HTMLElement>(selector)).find(
      (el) => el.textContent.replace(/\s+/g, ' ').trim() === text,
    ) ?? null
  );
}

/** Opens a mat-select and picks the option with this text. */
export async function choose(select: Element | null, option: string): Promise<void> {
  click(select?.querySelector('.mat-mdc-select-trigger'));
  await settle();
  click(byText('mat-option', option));
  await settle();
}

export function type(input: HTMLInputElement | HTMLTextAreaElement | null, value: string): void {
  if (!input) throw new Error('no input');
  input.value = value;
  input.dispatchEvent(new Event('input'));
}
