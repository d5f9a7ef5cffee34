import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';

import { problemInterceptor } from '../../../core/problem-interceptor';
import { ApiKeyList, stateOf } from './api-key-list';
import { ApiKeyView } from './api-keys-api';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    TestBed.tick();
    await wait(0);
  }
  TestBed.tick();
}

function key(overrides: Partial<ApiKeyView> = {}): ApiKeyView {
  return {
    id: 'k1',
    name: 'Datadog webhook',
    prefix: 'nxk_ab12',
    scopes: ['events:ingest'],
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'u1',
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

describe('ApiKeyList', () => {
  let fixture: ComponentFixture<ApiKeyList>;
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
    fixture = TestBed.createComponent(ApiKeyList);
    await settle();
    backend
      .expectOne('/api/api-keys')
      .flush({ items: [key(), key({ id: 'k2', name: 'Old', revokedAt: '2026-01-05T00:00:00Z' })] });
    await settle();
  });

  afterEach(() => {
    backend.verify();
  });

  function buttonIn(root: ParentNode, text: string): HTMLButtonElement {
    return Array.from(root.querySelectorAll<HTMLButtonElement>('button')).find(
      (b) => b.textContent.trim() === text,
    )!;
  }

  it('lists keys with scopes and status; only live keys can be revoked', () => {
    const rows = Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('tr.mat-mdc-row'));
    expect(rows.map((r) => r.querySelector('.state')?.textContent.trim())).toEqual(['Active', 'Revoked']);
    expect(rows[0]!.textContent).toContain('events:ingest');
    expect(rows[0]!.querySelector('button[aria-label="Revoke API key Datadog webhook"]')).not.toBeNull();
    expect(rows[1]!.querySelector('button')).toBeNull();
  });

  it('creates a key with the chosen scopes and shows it once', async () => {
    buttonIn(fixture.nativeElement as HTMLElement, 'Create API key').click();
    await settle();
    const name = document.querySelector<HTMLInputElement>(
      'mat-dialog-container input[formControlName="name"]',
    )!;
    name.value = 'CI pipeline';
    name.dispatchEvent(new Event('input'));
    const boxes = Array.from(
      document.querySelectorAll<HTMLInputElement>('mat-dialog-container input[type="checkbox"]'),
    );
    boxes[0]!.click(); // incidents:read
    boxes[3]!.click(); // audit:read
    await settle();
    buttonIn(document, 'Create key').click();
    await settle();

    const create = backend.expectOne({ method: 'POST', url: '/api/api-keys' });
    expect(create.request.body).toEqual({ name: 'CI pipeline', scopes: ['incidents:read', 'audit:read'] });
    create.flush(
      { apiKey: key({ id: 'k3', name: 'CI pipeline' }), key: 'nxk_k3_s3cr3t' },
      { status: 201, statusText: 'Created' },
    );
    await settle();
    backend.expectOne('/api/api-keys').flush({ items: [key()] });
    await settle();

    expect(document.querySelector<HTMLInputElement>('mat-dialog-container input[readonly]')?.value).toBe(
      'nxk_k3_s3cr3t',
    );
    expect(document.querySelector('mat-dialog-container')?.textContent).toContain('cannot be shown again');
  });

  it('refuses to create a key without a scope', async () => {
    buttonIn(fixture.nativeElement as HTMLElement, 'Create API key').click();
    await settle();
    const name = document.querySelector<HTMLInputElement>(
      'mat-dialog-container input[formControlName="name"]',
    )!;
    name.value = 'No scopes';
    name.dispatchEvent(new Event('input'));
    buttonIn(document, 'Create key').click();
    await settle();

    expect(document.querySelector('mat-dialog-container [role="alert"]')?.textContent).toContain(
      'Choose at least one scope.',
    );
    backend.expectNone('/api/api-keys');
  });

  it('revokes after confirmation with DELETE /api/api-keys/:id', async () => {
    (fixture.nativeElement as HTMLElement)
      .querySelector<HTMLButtonElement>('button[aria-label="Revoke API key Datadog webhook"]')!
      .click();
    await settle();
    buttonIn(document, 'Revoke key').click();
    await settle();

    backend
      .expectOne({ method: 'DELETE', url: '/api/api-keys/k1' })
      .flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    backend.expectOne('/api/api-keys').flush({ items: [key({ revokedAt: '2026-02-01T00:00:00Z' })] });
    await settle();
  });
});

describe('stateOf', () => {
  it('tells active, expired and revoked keys apart', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(stateOf(key(), now)).toBe('active');
    expect(stateOf(key({ expiresAt: '2026-05-31T00:00:00Z' }), now)).toBe('expired');
    expect(stateOf(key({ expiresAt: '2026-07-01T00:00:00Z' }), now)).toBe('active');
    expect(stateOf(key({ revokedAt: '2026-05-01T00:00:00Z', expiresAt: '2026-05-31T00:00:00Z' }), now)).toBe(
      'revoked',
    );
  });
});
