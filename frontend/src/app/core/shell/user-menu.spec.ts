import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatMenuHarness } from '@angular/material/menu/testing';
import { provideRouter, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { tokenResponse, userView } from '../../../testing/auth-fixtures';
import { Session } from '../session/session';
import { UserMenu } from './user-menu';

@Component({ template: '', changeDetection: ChangeDetectionStrategy.OnPush })
class Blank {}

describe('UserMenu', () => {
  let backend: HttpTestingController;

  async function render() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', component: Blank },
          { path: 'profile', component: Blank },
        ]),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    const user = userView({ name: 'Rita Responder', email: 'rita@example.test', role: 'responder' });
    const signedIn = firstValueFrom(TestBed.inject(Session).login(user.email, 'pw'));
    backend.expectOne('/api/auth/login').flush(tokenResponse(user));
    await signedIn;
    const fixture = TestBed.createComponent(UserMenu);
    const menu = await TestbedHarnessEnvironment.loader(fixture).getHarness(MatMenuHarness);
    return { fixture, menu, element: fixture.nativeElement as HTMLElement };
  }

  it("shows the user's name and role on a labelled button", async () => {
    const { element } = await render();
    const button = element.querySelector('button')!;

    expect(button.getAttribute('aria-label')).toBe('Account menu for Rita Responder (Responder)');
    expect(button.querySelector('.name')?.textContent).toBe('Rita Responder');
    expect(button.querySelector('.role')?.textContent).toBe('Responder');
  });

  it('offers Profile and Sign out', async () => {
    const { menu } = await render();
    await menu.open();

    const items = await menu.getItems();
    expect(await Promise.all(items.map((item) => item.getText()))).toEqual(['Profile', 'Sign out']);
    expect(document.querySelector('.mat-mdc-menu-panel')?.textContent).toContain('rita@example.test');
  });

  it('signs out: revokes the session, forgets the user, shows the login page', async () => {
    const { menu } = await render();
    await menu.open();
    await menu.clickItem({ text: 'Sign out' });

    backend
      .expectOne({ method: 'POST', url: '/api/auth/logout' })
      .flush(null, { status: 204, statusText: 'No Content' });
    await new Promise((resolve) => setTimeout(resolve));

    expect(TestBed.inject(Session).isSignedIn()).toBe(false);
    expect(TestBed.inject(Router).url).toBe('/login');
  });
});
