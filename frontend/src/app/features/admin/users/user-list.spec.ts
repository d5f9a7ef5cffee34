import { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { provideRouter } from '@angular/router';

import { userView } from '../../../../testing/auth-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { UserView } from '../../../core/session/user';
import { SEARCH_DEBOUNCE_MS, UserList } from './user-list';
import { UserPage } from './users-api';

const ada = userView({ name: 'Ada Admin', email: 'ada@example.test', role: 'admin' });
const bob = userView({ name: 'Bob Viewer', email: 'bob@example.test', role: 'viewer' });

function pageOf(items: UserView[], total = items.length, page = 1): UserPage {
  return { items, total, page, pageSize: 25 };
}

function problem(status: number, code: string, detail: string) {
  return [
    {
      type: 'about:blank',
      title: 'Conflict',
      status,
      detail,
      instance: '/api/users',
      code,
      requestId: 'req-1',
    },
    { status, statusText: 'Conflict' },
  ] as const;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// httpResource counts as a pending task while it loads, so `fixture.whenStable()` (and the
// component harnesses, which wait for it) would wait for a request this test has yet to answer.
// Interactions that start a request therefore use the DOM, and `settle()` instead of whenStable.
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    TestBed.tick();
    await wait(0);
  }
  TestBed.tick();
}

function click(target: Element | null | undefined): void {
  if (!(target instanceof HTMLElement)) {
    throw new Error('nothing to click');
  }
  target.click();
}

function byText(selector: string, text: string | RegExp, root: ParentNode = document): HTMLElement {
  const found = Array.from(root.querySelectorAll<HTMLElement>(selector)).find((el) => {
    const content = el.textContent.replace(/\s+/g, ' ').trim();
    return typeof text === 'string' ? content === text : text.test(content);
  });
  if (!found) {
    throw new Error(`no ${selector} with text ${String(text)}`);
  }
  return found;
}

/** Opens a mat-select and picks the option with this text. */
async function choose(select: Element | null, option: string): Promise<void> {
  click(select?.querySelector('.mat-mdc-select-trigger'));
  await settle();
  click(byText('mat-option', option));
  await settle();
}

describe('UserList', () => {
  let fixture: ComponentFixture<UserList>;
  let backend: HttpTestingController;
  let documentLoader: HarnessLoader;

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
    fixture = TestBed.createComponent(UserList);
    documentLoader = TestbedHarnessEnvironment.documentRootLoader(fixture);
    await settle();
  });

  afterEach(() => {
    backend.verify();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function listRequest(): TestRequest {
    return backend.expectOne((r) => r.method === 'GET' && r.url === '/api/users');
  }

  function paramsOf(request: TestRequest): Record<string, string | null> {
    const params = request.request.params;
    return Object.fromEntries(params.keys().map((key) => [key, params.get(key)]));
  }

  async function answerList(page: UserPage): Promise<Record<string, string | null>> {
    const request = listRequest();
    const params = paramsOf(request);
    request.flush(page);
    await settle();
    return params;
  }

  function rowTexts(): string[] {
    return Array.from(element().querySelectorAll('tr[data-user-id]')).map((row) =>
      Array.from(row.querySelectorAll('td'))
        .slice(0, 4)
        .map((cell) => cell.textContent.replace(/\s+/g, ' ').trim())
        .join(' | '),
    );
  }

  function search(text: string): void {
    const input = element().querySelector<HTMLInputElement>('input[type="search"]')!;
    input.value = text;
    input.dispatchEvent(new Event('input'));
  }

  it('loads the first page sorted by name and lists each user with role and status', async () => {
    const params = await answerList(
      pageOf([ada, userView({ name: 'Dan', status: 'disabled', mustChangePassword: true })]),
    );

    expect(params).toEqual({ page: '1', pageSize: '25', sort: 'name', order: 'asc' });
    expect(rowTexts()).toEqual([
      'Ada Admin | ada@example.test | Admin | Active',
      expect.stringMatching(/^Dan \| user\d+@example\.test \| Viewer \| Disabled Must change password$/),
    ]);
  });

  it('searches on the server once typing pauses, from page 1', async () => {
    await answerList(pageOf([ada, bob], 60));
    click(element().querySelector('.mat-mdc-paginator-navigation-next'));
    await settle();
    expect(await answerList(pageOf([ada, bob], 60, 2))).toMatchObject({ page: '2' });

    search('b');
    search('bo');
    search('bob');
    await settle();
    await wait(SEARCH_DEBOUNCE_MS / 2);
    await settle();
    backend.expectNone((r) => r.url === '/api/users');

    await wait(SEARCH_DEBOUNCE_MS);
    await settle();
    const params = await answerList(pageOf([bob]));

    expect(params).toEqual({ page: '1', pageSize: '25', sort: 'name', order: 'asc', search: 'bob' });
    expect(rowTexts()).toEqual(['Bob Viewer | bob@example.test | Viewer | Active']);
  });

  it('filters by role and status on the server', async () => {
    await answerList(pageOf([ada, bob]));
    const [role, status] = Array.from(element().querySelectorAll('.filters mat-select'));
    await choose(role!, 'Admin');
    expect(await answerList(pageOf([ada]))).toMatchObject({ role: 'admin', page: '1' });

    await choose(status!, 'Disabled');
    expect(await answerList(pageOf([]))).toMatchObject({ role: 'admin', status: 'disabled' });
    expect(element().textContent).toContain('No users match these filters.');
  });

  it('sorts on the server when a column header is clicked', async () => {
    await answerList(pageOf([ada, bob]));
    const email = byText('th[mat-sort-header]', 'Email', element());
    click(email);
    await settle();
    expect(await answerList(pageOf([ada, bob]))).toMatchObject({ sort: 'email', order: 'asc' });
    expect(email.getAttribute('aria-sort')).toBe('ascending');

    click(email);
    await settle();
    expect(await answerList(pageOf([bob, ada]))).toMatchObject({ sort: 'email', order: 'desc' });
  });

  it('pages on the server with the total it reports', async () => {
    await answerList(pageOf([ada, bob], 60));
    expect(element().querySelector('.mat-mdc-paginator-range-label')?.textContent.trim()).toBe(
      '1 – 25 of 60',
    );
    click(element().querySelector('.mat-mdc-paginator-navigation-next'));
    await settle();
    expect(await answerList(pageOf([bob], 60, 2))).toMatchObject({ page: '2', pageSize: '25' });
  });

  describe('inviting a user', () => {
    beforeEach(async () => {
      await answerList(pageOf([ada, bob]));
    });

    async function openInvite(): Promise<MatDialogHarness> {
      click(byText('.heading-row button', 'Invite user', element()));
      await settle();
      return documentLoader.getHarness(MatDialogHarness);
    }

    function fill(selector: string, value: string): void {
      const input = document.querySelector<HTMLInputElement>(`mat-dialog-container ${selector}`)!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }

    function submitDialog(): void {
      document.querySelector<HTMLButtonElement>('mat-dialog-container button[type="submit"]')!.click();
    }

    it('creates the user and shows the temporary password once, with a copy button', async () => {
      const dialog = await openInvite();
      expect(await dialog.getTitleText()).toBe('Invite user');
      fill('input[type="email"]', 'carol@example.test');
      fill('input[formControlName="name"]', 'Carol');
      await choose(document.querySelector('mat-dialog-container mat-select'), 'Responder');
      submitDialog();
      await settle();

      const create = backend.expectOne({ method: 'POST', url: '/api/users' });
      expect(create.request.body).toEqual({ email: 'carol@example.test', name: 'Carol', role: 'responder' });
      const carol = userView({
        name: 'Carol',
        email: 'carol@example.test',
        role: 'responder',
        mustChangePassword: true,
      });
      create.flush(
        { user: carol, temporaryPassword: 'Tmp-Quartz-7731' },
        { status: 201, statusText: 'Created' },
      );
      await settle();
      await answerList(pageOf([ada, bob, carol]));

      const shown = await documentLoader.getHarness(MatDialogHarness);
      expect(await shown.getTitleText()).toBe('Temporary password for Carol');
      const secret = document.querySelector<HTMLInputElement>('mat-dialog-container input[readonly]')!;
      expect(secret.value).toBe('Tmp-Quartz-7731');
      expect(document.querySelector('mat-dialog-container')!.textContent).toContain('cannot be shown again');
      expect(
        document.querySelector('mat-dialog-container button[aria-label="Copy temporary password"]'),
      ).not.toBeNull();
      expect(rowTexts()).toContain('Carol | carol@example.test | Responder | Active Must change password');

      // Closing it is the end of the password: it is nowhere on the page any more.
      click(byText('mat-dialog-container button', 'Done'));
      await settle();
      expect(await documentLoader.getAllHarnesses(MatDialogHarness)).toHaveLength(0);
      expect(document.body.innerHTML).not.toContain('Tmp-Quartz-7731');
    });

    it('sends a chosen password and shows no temporary one', async () => {
      await openInvite();
      fill('input[type="email"]', 'dave@example.test');
      fill('input[formControlName="name"]', 'Dave');
      fill('input[formControlName="password"]', 'A-Very-Long-Passphrase-1');
      submitDialog();
      await settle();

      const create = backend.expectOne({ method: 'POST', url: '/api/users' });
      expect(create.request.body).toEqual({
        email: 'dave@example.test',
        name: 'Dave',
        role: 'viewer',
        password: 'A-Very-Long-Passphrase-1',
      });
      create.flush({ user: userView({ name: 'Dave' }) }, { status: 201, statusText: 'Created' });
      await settle();
      await answerList(pageOf([ada, bob]));

      expect(await documentLoader.getAllHarnesses(MatDialogHarness)).toHaveLength(0);
    });

    it('keeps the dialog open with the API detail when the email is taken', async () => {
      await openInvite();
      fill('input[type="email"]', 'bob@example.test');
      fill('input[formControlName="name"]', 'Bob again');
      submitDialog();
      await settle();

      backend
        .expectOne({ method: 'POST', url: '/api/users' })
        .flush(...problem(409, 'USER_EMAIL_TAKEN', 'A user with email bob@example.test already exists.'));
      await settle();

      const alert = document.querySelector('mat-dialog-container [role="alert"]');
      expect(alert?.textContent.trim()).toBe('A user with email bob@example.test already exists.');
      expect(await documentLoader.getAllHarnesses(MatDialogHarness)).toHaveLength(1);
    });
  });

  it('changes a role with PATCH /api/users/:id and reloads the page', async () => {
    await answerList(pageOf([ada, bob]));
    await choose(element().querySelector('mat-select[aria-label="Role for Bob Viewer"]'), 'Responder');

    const patch = backend.expectOne({ method: 'PATCH', url: `/api/users/${bob.id}` });
    expect(patch.request.body).toEqual({ role: 'responder' });
    patch.flush({ ...bob, role: 'responder' });
    await settle();
    await answerList(pageOf([ada, { ...bob, role: 'responder' }]));

    expect(rowTexts()[1]).toBe('Bob Viewer | bob@example.test | Responder | Active');
  });

  it('shows USER_LAST_ADMIN from the problem detail and puts the role back', async () => {
    await answerList(pageOf([ada, bob]));
    await choose(element().querySelector('mat-select[aria-label="Role for Ada Admin"]'), 'Viewer');

    backend
      .expectOne({ method: 'PATCH', url: `/api/users/${ada.id}` })
      .flush(...problem(409, 'USER_LAST_ADMIN', 'Ada Admin is the last active admin and cannot be demoted.'));
    await settle();
    await answerList(pageOf([{ ...ada }, bob]));

    const alert = element().querySelector('[role="alert"][data-code="USER_LAST_ADMIN"]');
    expect(alert?.textContent).toContain('Ada Admin is the last active admin and cannot be demoted.');
    const shown = element().querySelector(
      'mat-select[aria-label="Role for Ada Admin"] .mat-mdc-select-value',
    );
    expect(shown?.textContent.trim()).toBe('Admin');
  });

  it('deletes a user only after confirmation', async () => {
    await answerList(pageOf([ada, bob]));
    click(element().querySelector('button[aria-label="Actions for Bob Viewer"]'));
    await settle();
    click(byText('[mat-menu-item]', 'Delete'));
    await settle();
    const confirm = await documentLoader.getHarness(MatDialogHarness);
    expect(await confirm.getTitleText()).toBe('Delete Bob Viewer?');
    backend.expectNone((r) => r.method === 'DELETE');

    click(byText('mat-dialog-container button', 'Delete user'));
    await settle();

    backend
      .expectOne({ method: 'DELETE', url: `/api/users/${bob.id}` })
      .flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    await answerList(pageOf([ada]));
    expect(rowTexts()).toEqual(['Ada Admin | ada@example.test | Admin | Active']);
  });

  it('resets a password after confirmation and shows the new temporary password', async () => {
    await answerList(pageOf([ada, bob]));
    click(element().querySelector('button[aria-label="Actions for Bob Viewer"]'));
    await settle();
    click(byText('[mat-menu-item]', 'Reset password'));
    await settle();
    click(byText('mat-dialog-container button', 'Reset password'));
    await settle();

    backend
      .expectOne({ method: 'POST', url: `/api/users/${bob.id}/reset-password` })
      .flush({ temporaryPassword: 'Reset-Opal-4410' });
    await settle();
    await answerList(pageOf([ada, { ...bob, mustChangePassword: true }]));

    const shown = await documentLoader.getHarness(MatDialogHarness);
    expect(await shown.getTitleText()).toBe('Temporary password for Bob Viewer');
    expect(document.querySelector<HTMLInputElement>('mat-dialog-container input[readonly]')!.value).toBe(
      'Reset-Opal-4410',
    );
  });
});
