import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import {
  byText,
  choose,
  click,
  deliveryView,
  problemAnswer,
  settle,
} from '../../../../testing/incident-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { DeliveryView } from '../../../shared/deliveries/delivery';
import { DeliverySummary } from './deliveries-api';
import { DeliveryList } from './delivery-list';

describe('DeliveryList', () => {
  let harness: RouterTestingHarness;
  let backend: HttpTestingController;

  /** A ledger row: the fixture's delivery, not stalled unless said. */
  function ledgerRow(overrides: Partial<DeliveryView> = {}): DeliveryView {
    return { ...deliveryView(overrides), stalled: false, ...overrides };
  }

  const dead = ledgerRow({
    consumer: 'servicenow',
    eventType: 'incident.updated',
    status: 'dead',
    attempts: 10,
    lastError: 'HTTP 401 from ServiceNow',
  });
  const delivered = ledgerRow({ consumer: 'slack', status: 'delivered' });
  /** Taken by a worker that then crashed: pending, and nothing will attempt it until the sweep. */
  const stalled = ledgerRow({
    consumer: 'slack',
    status: 'pending',
    attempts: 1,
    lastError: null,
    deliveredAt: null,
    stalled: true,
  });
  /** Running right now on a live worker. */
  const onItsWay = ledgerRow({ consumer: 'slack', status: 'pending', deliveredAt: null });
  const summary: DeliverySummary = {
    byConsumer: [
      { consumer: 'servicenow', pending: 0, failed: 0, dead: 1, delivered: 5, stalled: 0 },
      { consumer: 'slack', pending: 2, failed: 0, dead: 0, delivered: 9, stalled: 1 },
    ],
  };

  /** Opens the page at `url` and answers its summary; returns the first list request's parameters. */
  async function open(url: string, items: DeliveryView[] = [dead, delivered]) {
    harness = await RouterTestingHarness.create();
    void harness.navigateByUrl(url);
    await settle();
    backend.expectOne('/api/deliveries/summary').flush(summary);
    return answer(items);
  }

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([{ path: 'deliveries', component: DeliveryList }]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
  });

  function element(): HTMLElement {
    return harness.routeNativeElement!;
  }

  function url(): string {
    return TestBed.inject(Router).url;
  }

  function paramsOf(request: TestRequest): Record<string, string | null> {
    const params = request.request.params;
    return Object.fromEntries(params.keys().map((key) => [key, params.get(key)]));
  }

  async function answer(items: DeliveryView[], nextCursor: string | null = null) {
    const request = backend.expectOne((r) => r.method === 'GET' && r.url === '/api/deliveries');
    const params = paramsOf(request);
    request.flush({ items, nextCursor });
    await settle();
    return params;
  }

  function row(delivery: DeliveryView): HTMLElement {
    return element().querySelector<HTMLElement>(`tr[data-delivery-id="${delivery.id}"]`)!;
  }

  it('summarises each consumer and lists the deliveries', async () => {
    expect(await open('/deliveries')).toEqual({ limit: '50' });
    const servicenow = element().querySelector('tr[data-consumer="servicenow"]')!;
    expect(Array.from(servicenow.querySelectorAll('th, td')).map((c) => c.textContent.trim())).toEqual([
      'servicenow',
      '0',
      '0',
      '1',
      '5',
      '0',
    ]);
    expect(row(dead).textContent).toContain('HTTP 401 from ServiceNow');
    expect(row(dead).textContent).toContain('10 / 10');
    expect(row(dead).querySelector('button')?.textContent.trim()).toBe('Replay');
    expect(row(delivered).querySelector('button')).toBeNull();
  });

  it('filters by status and consumer on the server, keeping the filters in the URL', async () => {
    await open('/deliveries');
    await choose(element().querySelectorAll('.filters mat-select')[0]!, 'Dead');
    expect(await answer([dead])).toEqual({ limit: '50', status: 'dead' });
    expect(url()).toBe('/deliveries?status=dead');

    await choose(element().querySelectorAll('.filters mat-select')[1]!, 'servicenow');
    expect(await answer([dead])).toEqual({ limit: '50', status: 'dead', consumer: 'servicenow' });
    expect(url()).toBe('/deliveries?status=dead&consumer=servicenow');
  });

  it('starts from the filters in the URL, as a link from an incident gives them', async () => {
    const incidentId = '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d';
    expect(
      await open(`/deliveries?status=dead&consumer=servicenow&incidentId=${incidentId}`, [dead]),
    ).toEqual({
      limit: '50',
      status: 'dead',
      consumer: 'servicenow',
      incidentId,
    });
    expect(element().querySelector<HTMLInputElement>('.filters input')!.value).toBe(incidentId);
    expect(element().querySelectorAll('.filters mat-select')[0]!.textContent).toContain('Dead');
  });

  it('ignores a status it does not know', async () => {
    expect(await open('/deliveries?status=lost')).toEqual({ limit: '50' });
  });

  it('shows one consumer when its name in the summary is clicked', async () => {
    await open('/deliveries');
    click(byText('tr[data-consumer="slack"] button', 'slack'));
    await settle();
    expect(await answer([delivered])).toEqual({ limit: '50', consumer: 'slack' });
    expect(url()).toBe('/deliveries?consumer=slack');
  });

  it('replays a dead delivery after confirmation and shows it pending', async () => {
    await open('/deliveries');
    click(row(dead).querySelector('button'));
    await settle();
    expect(document.querySelector('mat-dialog-container')!.textContent).toContain(
      'Replay this incident.updated delivery?',
    );
    backend.expectNone((r) => r.method === 'POST');

    click(byText('mat-dialog-container button', 'Replay'));
    await settle();
    backend
      .expectOne({ method: 'POST', url: `/api/deliveries/${dead.id}/replay` })
      .flush({ ...dead, status: 'pending', attempts: 0, lastError: null });
    await settle();
    backend.expectOne('/api/deliveries/summary').flush(summary);
    await settle();

    expect(row(dead).textContent).toContain('Pending');
    expect(row(dead).querySelector('button')).toBeNull();
  });

  it('shows a refused replay', async () => {
    await open('/deliveries');
    click(row(dead).querySelector('button'));
    await settle();
    click(byText('mat-dialog-container button', 'Replay'));
    await settle();
    backend
      .expectOne(`/api/deliveries/${dead.id}/replay`)
      .flush(
        ...problemAnswer(409, 'DELIVERY_NOT_REPLAYABLE', 'Only dead or failed deliveries can be replayed.'),
      );
    await settle();
    expect(element().querySelector('[role="alert"]')!.textContent).toContain(
      'Only dead or failed deliveries can be replayed.',
    );
  });

  it('counts the stalled deliveries of each consumer, and lists them on a click', async () => {
    await open('/deliveries');
    const slack = element().querySelector('tr[data-consumer="slack"]')!;
    expect(slack.querySelector('td:last-child')!.classList).toContain('bad');
    click(slack.querySelector('td:last-child button'));
    await settle();
    expect(await answer([stalled])).toEqual({ limit: '50', consumer: 'slack', stalled: 'true' });
    expect(url()).toBe('/deliveries?consumer=slack&stalled=true');
    expect(element().querySelector('tr[data-consumer="servicenow"] td:last-child button')).toBeNull();
  });

  it('marks a stalled delivery and offers to replay it, but not one on its way', async () => {
    await open('/deliveries', [stalled, onItsWay]);
    expect(row(stalled).querySelector('[data-status="stalled"]')?.textContent.trim()).toBe('Stalled');
    expect(row(stalled).querySelector('button')?.textContent.trim()).toBe('Replay');
    expect(row(onItsWay).textContent).toContain('Pending');
    expect(row(onItsWay).querySelector('[data-status="stalled"]')).toBeNull();
    expect(row(onItsWay).querySelector('button')).toBeNull();
  });

  it('shows only stalled deliveries with "Stalled only", keeping it in the URL', async () => {
    await open('/deliveries');
    click(element().querySelector('.filters mat-checkbox input'));
    await settle();
    expect(await answer([stalled])).toEqual({ limit: '50', stalled: 'true' });
    expect(url()).toBe('/deliveries?stalled=true');

    click(element().querySelector('.filters mat-checkbox input'));
    await settle();
    expect(await answer([dead, delivered])).toEqual({ limit: '50' });
    expect(url()).toBe('/deliveries');
  });

  it('starts with "Stalled only" ticked when the URL asks for stalled deliveries', async () => {
    expect(await open('/deliveries?stalled=true', [stalled])).toEqual({ limit: '50', stalled: 'true' });
    expect(element().querySelector<HTMLInputElement>('.filters mat-checkbox input')!.checked).toBe(true);
  });

  it('replays a stalled delivery after saying why it is stalled', async () => {
    await open('/deliveries', [stalled]);
    click(row(stalled).querySelector('button'));
    await settle();
    expect(document.querySelector('mat-dialog-container')!.textContent).toContain(
      'It is stalled: its worker stopped during an attempt',
    );
    click(byText('mat-dialog-container button', 'Replay'));
    await settle();
    backend
      .expectOne({ method: 'POST', url: `/api/deliveries/${stalled.id}/replay` })
      .flush({ ...stalled, attempts: 0, stalled: false });
    await settle();
    backend.expectOne('/api/deliveries/summary').flush(summary);
    await settle();

    expect(row(stalled).textContent).toContain('Pending');
    expect(row(stalled).querySelector('[data-status="stalled"]')).toBeNull();
    expect(row(stalled).querySelector('button')).toBeNull();
  });
});
