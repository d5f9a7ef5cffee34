import { TestBed } from '@angular/core/testing';
import { MatDialog } from '@angular/material/dialog';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { firstValueFrom } from 'rxjs';

import { ConfirmDialog } from './confirm-dialog';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function button(label: string): HTMLButtonElement {
  const found = [...document.querySelectorAll<HTMLButtonElement>('mat-dialog-container button')].find(
    (b) => b.textContent.trim() === label,
  );
  if (!found) throw new Error(`no dialog button "${label}"`);
  return found;
}

describe('ConfirmDialog', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [{ provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
    });
  });

  afterEach(() => {
    TestBed.inject(MatDialog).closeAll();
  });

  it('puts focus on Cancel, so Enter never confirms by accident, without warning', async () => {
    const warn = vi.spyOn(console, 'warn');
    const answer = firstValueFrom(
      ConfirmDialog.ask(TestBed.inject(MatDialog), {
        title: 'Delete user?',
        message: 'Ada loses access.',
        confirmLabel: 'Delete user',
        destructive: true,
      }),
    );
    TestBed.tick();
    await wait(0);
    TestBed.tick();
    expect(document.activeElement).toBe(button('Cancel'));
    expect(warn).not.toHaveBeenCalled();
    button('Delete user').click();
    expect(await answer).toBe(true);
  });

  it('answers false when cancelled', async () => {
    const answer = firstValueFrom(
      ConfirmDialog.ask(TestBed.inject(MatDialog), {
        title: 'Revoke?',
        message: 'x',
        confirmLabel: 'Revoke',
      }),
    );
    TestBed.tick();
    await wait(0);
    button('Cancel').click();
    expect(await answer).toBe(false);
  });
});
