import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';

import {
  byText,
  choose,
  click,
  deliveryView,
  problemAnswer,
  settle,
} from '../../../../testing/incident-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { DeliveryView } from '../../incidents/incident';
import { DeliverySummary } from './deliveries-api';
import { DeliveryList } from './delivery-list';

describe('DeliveryList', () => {
  let fixture: ComponentFixture<DeliveryList>;
  let backend: HttpTestingController;

  const dead = deliveryView({
    consumer: 'servicenow',
    eventType: 'incident.updated',
    status: 'dead',
    attempts: 10,
    lastError: 'HTTP 401 from ServiceNow',
  });
  const delivered = deliveryView({ consumer: 'slack', status: 'delivered' });
  const summary: DeliverySummary = {
    byConsumer: [
      { consumer: 'servicenow', pending: 0, failed: 0, dead: 1, delivered: 5 },
      { consumer: 'slack', pending: 2, failed: 0, dead: 0, delivered: 9 },
    ],
  };

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(DeliveryList);
    await settle();
    backend.expectOne('/api/deliveries/summary').flush(summary);
    await answer([dead, delivered]);
  });

  afterEach(() => {
    backend.verify();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
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

  it('summarises each consumer and lists the deliveries', () => {
    const servicenow = element().querySelector('tr[data-consumer="servicenow"]')!;
    expect(Array.from(servicenow.querySelectorAll('th, td')).map((c) => c.textContent.trim())).toEqual([
      'servicenow',
      '0',
      '0',
      '1',
      '5',
    ]);
    expect(row(dead).textContent).toContain('HTTP 401 from ServiceNow');
    expect(row(dead).textContent).toContain('10 / 10');
    expect(row(dead).querySelector('button')?.textContent.trim()).toBe('Replay');
    expect(row(delivered).querySelector('button')).toBeNull();
  });

  it('filters by status and consumer on the server', async () => {
    await choose(element().querySelectorAll('.filters mat-select')[0]!, 'Dead');
    expect(await answer([dead])).toEqual({ limit: '50', status: 'dead' });

    await choose(element().querySelectorAll('.filters mat-select')[1]!, 'servicenow');
    expect(await answer([dead])).toEqual({ limit: '50', status: 'dead', consumer: 'servicenow' });
  });

  it('replays a dead delivery after confirmation and shows it pending', async () => {
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
});
