import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';

import { problemInterceptor } from '../../../core/problem-interceptor';
import { AuditEvent, AuditPage } from './audit-api';
import { AuditLog, endOfDay, startOfDay } from './audit-log';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// httpResource is a pending task while loading, so whenStable() would wait for the very request
// the test is about to answer: tick and yield instead.
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    TestBed.tick();
    await wait(0);
  }
  TestBed.tick();
}

let sequence = 0;
function event(overrides: Partial<AuditEvent> = {}): AuditEvent {
  sequence += 1;
  return {
    id: `evt-${sequence}`,
    occurredAt: '2026-01-02T09:30:00.000Z',
    actor: { type: 'user', id: 'u1', label: 'ada@example.test' },
    action: 'user.updated',
    outcome: 'success',
    target: { type: 'user', id: 'u2', label: 'bob@example.test' },
    ip: '203.0.113.7',
    userAgent: 'Firefox',
    requestId: `req-${sequence}`,
    before: { role: 'viewer' },
    after: { role: 'responder' },
    details: null,
    ...overrides,
  };
}

describe('AuditLog', () => {
  let fixture: ComponentFixture<AuditLog>;
  let backend: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AuditLog);
    await settle();
    backend
      .expectOne('/api/audit/actions')
      .flush({ items: ['auth.login.failed', 'auth.login.succeeded', 'user.created', 'user.updated'] });
  });

  afterEach(() => {
    backend.verify();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function eventsRequest(): TestRequest {
    return backend.expectOne((r) => r.url === '/api/audit');
  }

  async function answer(page: AuditPage): Promise<Record<string, string | null>> {
    const request = eventsRequest();
    const params = Object.fromEntries(
      request.request.params.keys().map((k) => [k, request.request.params.get(k)]),
    );
    request.flush(page);
    await settle();
    return params;
  }

  function rows(): string[] {
    return Array.from(element().querySelectorAll('tr.event-row')).map((row) =>
      Array.from(row.querySelectorAll('td'))
        .slice(2)
        .map((cell) => cell.textContent.trim())
        .join(' | '),
    );
  }

  async function choose(select: Element | null | undefined, option: string): Promise<void> {
    select?.querySelector<HTMLElement>('.mat-mdc-select-trigger')?.click();
    await settle();
    Array.from(document.querySelectorAll<HTMLElement>('mat-option'))
      .find((o) => o.textContent.trim() === option)
      ?.click();
    await settle();
  }

  async function setDate(label: 'From' | 'To', value: string): Promise<void> {
    const field = Array.from(element().querySelectorAll('mat-form-field')).find(
      (f) => f.querySelector('mat-label')?.textContent.trim() === label,
    );
    const input = field!.querySelector<HTMLInputElement>('input[type="date"]')!;
    input.value = value;
    input.dispatchEvent(new Event('change'));
    await settle();
  }

  function button(text: string): HTMLButtonElement | undefined {
    return Array.from(element().querySelectorAll<HTMLButtonElement>('button')).find(
      (b) => b.textContent.trim() === text,
    );
  }

  it('loads the newest events and shows time, actor, action, outcome, target and IP', async () => {
    const params = await answer({
      items: [
        event(),
        event({
          action: 'auth.login.failed',
          outcome: 'failure',
          actor: { type: 'anonymous', id: null, label: null },
          target: null,
          ip: null,
        }),
      ],
      nextCursor: null,
    });

    expect(params).toEqual({ limit: '50' });
    expect(rows()).toEqual([
      'ada@example.test | user.updated | Success | bob@example.test (user) | 203.0.113.7',
      'Anonymous | auth.login.failed | Failure | — | —',
    ]);
    expect(element().querySelector('time')?.getAttribute('datetime')).toBe('2026-01-02T09:30:00.000Z');
  });

  it('sends the filters as query parameters', async () => {
    await answer({ items: [event()], nextCursor: null });
    const [action, outcome] = Array.from(element().querySelectorAll('.filters mat-select'));

    await choose(action, 'auth.login.failed');
    expect(await answer({ items: [], nextCursor: null })).toEqual({
      limit: '50',
      action: 'auth.login.failed',
    });

    await choose(outcome, 'Failure');
    await answer({ items: [], nextCursor: null });
    await setDate('From', '2026-01-02');
    await answer({ items: [], nextCursor: null });
    await setDate('To', '2026-01-03');

    expect(await answer({ items: [], nextCursor: null })).toEqual({
      limit: '50',
      action: 'auth.login.failed',
      outcome: 'failure',
      from: new Date('2026-01-02T00:00:00').toISOString(),
      to: new Date('2026-01-03T23:59:59.999').toISOString(),
    });
    expect(element().textContent).toContain('No events match these filters.');

    button('Clear filters')!.click();
    await settle();
    expect(await answer({ items: [], nextCursor: null })).toEqual({ limit: '50' });
  });

  it('offers "every auth.* event", which the API takes as an action prefix', async () => {
    await answer({ items: [], nextCursor: null });
    await choose(element().querySelector('.filters mat-select'), 'Every auth.* event');

    expect(await answer({ items: [], nextCursor: null })).toEqual({ limit: '50', action: 'auth.' });
  });

  it('loads older events with the cursor and appends them, until there are no more', async () => {
    await answer({ items: [event(), event()], nextCursor: 'cursor-1' });
    const [action] = Array.from(element().querySelectorAll('.filters mat-select'));
    await choose(action, 'user.updated');
    await answer({ items: [event(), event()], nextCursor: 'cursor-1' });

    button('Load more')!.click();
    await settle();
    expect(button('Loading…')?.disabled).toBe(true);
    expect(await answer({ items: [event(), event()], nextCursor: 'cursor-2' })).toEqual({
      limit: '50',
      action: 'user.updated',
      cursor: 'cursor-1',
    });
    expect(rows()).toHaveLength(4);

    button('Load more')!.click();
    await settle();
    expect(await answer({ items: [event()], nextCursor: null })).toMatchObject({ cursor: 'cursor-2' });
    expect(rows()).toHaveLength(5);
    expect(button('Load more')).toBeUndefined();
    expect(element().textContent).toContain('That is every event that matches.');
  });

  it('starts over from the newest page when the filters change', async () => {
    await answer({ items: [event(), event()], nextCursor: 'cursor-1' });
    button('Load more')!.click();
    await settle();
    await answer({ items: [event(), event()], nextCursor: null });
    expect(rows()).toHaveLength(4);

    await choose(element().querySelectorAll('.filters mat-select')[1], 'Success');
    expect(await answer({ items: [event()], nextCursor: null })).not.toHaveProperty('cursor');
    expect(rows()).toHaveLength(1);
  });

  it('expands a row to show before, after and details', async () => {
    await answer({
      items: [
        event({ before: { role: 'viewer' }, after: { role: 'admin' }, details: { reason: 'promotion' } }),
      ],
      nextCursor: null,
    });
    const toggle = element().querySelector<HTMLButtonElement>('button.toggle')!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(element().querySelector('.detail')).toBeNull();

    toggle.click();
    await settle();

    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const detail = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    const blocks = Array.from(detail.querySelectorAll('section')).map((s) => [
      s.querySelector('h3')?.textContent,
      JSON.parse(s.querySelector('pre')!.textContent) as unknown,
    ]);
    expect(blocks).toEqual([
      ['Before', { role: 'viewer' }],
      ['After', { role: 'admin' }],
      ['Details', { reason: 'promotion' }],
    ]);

    toggle.click();
    await settle();
    expect(element().querySelector('.detail')).toBeNull();
  });
});

describe('audit date bounds', () => {
  it('turns a day into its first and last local millisecond', () => {
    expect(startOfDay('2026-03-01')).toBe(new Date(2026, 2, 1, 0, 0, 0, 0).toISOString());
    expect(endOfDay('2026-03-01')).toBe(new Date(2026, 2, 1, 23, 59, 59, 999).toISOString());
  });

  it('ignores anything that is not a date', () => {
    expect(startOfDay('')).toBe('');
    expect(endOfDay('yesterday')).toBe('');
  });
});
