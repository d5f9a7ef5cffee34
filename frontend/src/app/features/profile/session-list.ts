import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButton } from '@angular/material/button';

import { Problem, problemFrom } from '../../core/problem';
import { Session } from '../../core/session/session';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { ProfileApi, SessionView } from './profile-api';

/** "Firefox on Windows" from a user agent string; good enough to tell one's own devices apart. */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) {
    return 'Unknown device';
  }
  const browser =
    [
      ['Edg/', 'Edge'],
      ['Firefox/', 'Firefox'],
      ['Chrome/', 'Chrome'],
      ['Chromium/', 'Chromium'],
      ['Safari/', 'Safari'],
    ].find(([token]) => token !== undefined && userAgent.includes(token))?.[1] ?? 'A browser or API client';
  const system =
    [
      ['Android', 'Android'],
      ['iPhone', 'iOS'],
      ['iPad', 'iPadOS'],
      ['Windows', 'Windows'],
      ['Mac OS', 'macOS'],
      ['Linux', 'Linux'],
    ].find(([token]) => token !== undefined && userAgent.includes(token))?.[1] ?? null;
  return system ? `${browser} on ${system}` : browser;
}

/** The user's signed-in sessions, newest activity first, with a way to end each one. */
@Component({
  selector: 'nx-session-list',
  imports: [DatePipe, MatButton, ProblemNotice],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (sessions.error(); as error) {
      <nx-problem-notice [error]="error" />
    } @else if (!enabled()) {
      <p class="muted">Your sessions are listed here once you have changed your password.</p>
    } @else if (sessions.hasValue()) {
      @if (revokeProblem(); as problem) {
        <nx-problem-notice [error]="problem" />
      }
      <ul class="sessions" aria-label="Signed-in sessions">
        @for (item of ordered(); track item.id) {
          <li class="session" [class.current]="item.current">
            <div class="what">
              <span class="device">
                {{ describe(item.userAgent) }}
                @if (item.current) {
                  <span class="badge">This session</span>
                }
              </span>
              <span class="details">
                {{ item.ip ?? 'unknown address' }} · signed in with {{ item.method }} ·
                {{ item.createdAt | date: 'medium' }}
                @if (item.lastUsedAt) {
                  · last active {{ item.lastUsedAt | date: 'medium' }}
                }
              </span>
            </div>
            @if (item.current) {
              <button matButton="outlined" type="button" (click)="signOut()">Sign out</button>
            } @else {
              <button
                matButton="outlined"
                type="button"
                [disabled]="revoking() === item.id"
                [attr.aria-label]="
                  'Revoke session: ' +
                  describe(item.userAgent) +
                  ', signed in ' +
                  (item.createdAt | date: 'medium')
                "
                (click)="revoke(item)"
              >
                Revoke
              </button>
            }
          </li>
        } @empty {
          <li class="muted">No sessions.</li>
        }
      </ul>
    } @else {
      <p class="muted" role="status">Loading sessions…</p>
    }
  `,
  styles: `
    .sessions {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .session {
      display: flex;
      gap: 16px;
      align-items: center;
      justify-content: space-between;
      padding: 12px 0;
      border-bottom: 1px solid var(--mat-sys-outline-variant);
    }
    .session:last-child {
      border-bottom: none;
    }
    .what {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .device {
      font: var(--mat-sys-title-small);
    }
    .details,
    .muted {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
      overflow-wrap: anywhere;
    }
    .badge {
      margin-inline-start: 8px;
      padding: 2px 8px;
      border-radius: var(--mat-sys-corner-full);
      background: var(--mat-sys-primary-container);
      color: var(--mat-sys-on-primary-container);
      font: var(--mat-sys-label-small);
    }
  `,
})
export class SessionList {
  /** False while the user must change a temporary password (the API refuses the list then). */
  readonly enabled = input(true);

  private readonly api = inject(ProfileApi);
  private readonly session = inject(Session);
  protected readonly sessions = this.api.sessions(() => this.enabled());
  protected readonly revoking = signal<string | null>(null);
  protected readonly revokeProblem = signal<Problem | null>(null);
  protected readonly describe = describeUserAgent;

  protected readonly ordered = computed(() => {
    const items = this.sessions.hasValue() ? this.sessions.value().items : [];
    // The current session first, then by last activity.
    return [...items].sort(
      (a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt),
    );
  });

  protected revoke(item: SessionView): void {
    this.revoking.set(item.id);
    this.revokeProblem.set(null);
    this.api.revokeSession(item.id).subscribe({
      next: () => {
        this.revoking.set(null);
        this.sessions.reload();
      },
      error: (error: unknown) => {
        this.revoking.set(null);
        this.revokeProblem.set(problemFrom(error));
      },
    });
  }

  protected signOut(): void {
    void this.session.logout();
  }
}
