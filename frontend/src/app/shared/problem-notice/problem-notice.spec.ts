import { TestBed } from '@angular/core/testing';

import { ProblemError } from '../../core/problem';
import { ProblemNotice } from './problem-notice';

describe('ProblemNotice', () => {
  async function render(error: unknown): Promise<HTMLElement> {
    const fixture = TestBed.createComponent(ProblemNotice);
    fixture.componentRef.setInput('error', error);
    await fixture.whenStable();
    return (fixture.nativeElement as HTMLElement).querySelector<HTMLElement>('[role="alert"]')!;
  }

  it('shows title, detail, field errors and the request id of a problem', async () => {
    const alert = await render(
      new ProblemError({
        type: 'about:blank',
        title: 'Validation failed',
        status: 400,
        detail: 'The request body is invalid.',
        instance: '/api/incidents',
        code: 'VALIDATION_FAILED',
        requestId: 'req-77',
        errors: [{ field: 'shortDescription', message: 'must not be empty' }],
      }),
    );

    expect(alert.dataset['code']).toBe('VALIDATION_FAILED');
    expect(alert.textContent).toContain('Validation failed');
    expect(alert.textContent).toContain('The request body is invalid.');
    expect(alert.querySelector('li')?.textContent.replace(/\s+/g, ' ').trim()).toBe(
      'shortDescription: must not be empty',
    );
    expect(alert.textContent).toContain('Reference: req-77');
  });

  it('lists the password policy violations of AUTH_PASSWORD_POLICY', async () => {
    const alert = await render(
      new ProblemError({
        type: 'about:blank',
        title: 'Password policy',
        status: 422,
        detail: 'The password does not meet the policy.',
        instance: '/api/users',
        code: 'AUTH_PASSWORD_POLICY',
        requestId: 'req-9',
        violations: ['Password must be at least 12 characters.'],
      }),
    );

    expect(Array.from(alert.querySelectorAll('li')).map((li) => li.textContent.trim())).toEqual([
      'Password must be at least 12 characters.',
    ]);
  });

  it('falls back to a generic message for errors that are not problems', async () => {
    const alert = await render(new Error('socket closed'));

    expect(alert.dataset['code']).toBe('CLIENT_ERROR');
    expect(alert.textContent).toContain('Something went wrong');
    expect(alert.textContent).toContain('socket closed');
    expect(alert.textContent).not.toContain('Reference');
  });
});
