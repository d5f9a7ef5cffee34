import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';

import { Problem, problemFrom } from '../../../core/problem';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { SLACK_INSTALL_URL, SlackApi, SlackConnectionView } from './slack-api';

/** Sends the browser on (a seam for tests). */
export const navigation = {
  assign: (url: string): void => {
    window.location.assign(url);
  },
};

/**
 * How the Slack app is connected: the signing secret, the workspaces with their bot and scopes,
 * the default channel, an "Add to Slack" link when the OAuth install is configured, and the last
 * errors Slack answered with.
 */
@Component({
  selector: 'nx-slack-connection-status',
  imports: [DatePipe, ProblemNotice],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let c = connection();
    <dl class="facts">
      <div>
        <dt>Request signing</dt>
        <dd [attr.data-ok]="c.signingSecret">
          {{ c.signingSecret ? 'Signing secret set' : 'No signing secret: Slack requests are refused' }}
        </dd>
      </div>
      <div>
        <dt>Default channel</dt>
        <dd class="default-channel">
          @if (c.defaultChannel) {
            <code>{{ c.defaultChannel }}</code>
          } @else {
            <span class="muted">None: incidents no rule matches are not posted</span>
          }
        </dd>
      </div>
    </dl>

    <h4>Workspaces</h4>
    @if (c.workspaces.length) {
      <ul class="workspaces">
        @for (w of c.workspaces; track w.teamId) {
          <li class="workspace">
            <strong>{{ w.teamName || w.teamId }}</strong>
            <span class="muted"
              >{{ w.teamId }} · bot {{ w.botUserId || 'unknown' }} ·
              {{
                w.source === 'environment' ? 'bot token from the environment' : 'installed with OAuth'
              }}</span
            >
            @if (w.tokenExpiresAt) {
              <span class="muted">Token renews before {{ w.tokenExpiresAt | date: 'medium' }}</span>
            }
            @if (w.scopes.length) {
              <span class="scopes">{{ w.scopes.join(', ') }}</span>
            }
          </li>
        }
      </ul>
    } @else {
      <p class="not-connected" role="note">Not connected: no workspace is installed, so no card is posted.</p>
    }
    @if (c.oauthClient) {
      <a class="install" [href]="installUrl" (click)="install($event)" [attr.aria-disabled]="installing()">{{
        c.workspaces.length ? 'Add to another Slack workspace' : 'Add to Slack'
      }}</a>
      @if (installProblem(); as p) {
        <nx-problem-notice [error]="p" />
      }
    } @else if (!c.workspaces.length) {
      <p class="muted">
        Set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install from here, or SLACK_BOT_TOKEN for one
        workspace.
      </p>
    }

    <h4>Recent errors</h4>
    @if (c.calls.recentErrors.length) {
      <ul class="errors">
        @for (e of c.calls.recentErrors; track $index) {
          <li>
            <time [attr.datetime]="e.at">{{ e.at | date: 'short' }}</time>
            <code>{{ e.method }}</code>
            <span class="error">{{ e.error }}</span>
          </li>
        }
      </ul>
    } @else {
      <p class="muted no-errors">No errors from Slack lately.</p>
    }
  `,
  styles: `
    .facts {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 200px), 1fr));
      gap: 8px 16px;
      margin: 0 0 12px;
    }
    dt {
      font: var(--mat-sys-label-medium);
      color: var(--mat-sys-on-surface-variant);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    dd[data-ok='false'] {
      color: var(--mat-sys-error);
    }
    h4 {
      margin: 12px 0 4px;
      font: var(--mat-sys-title-small);
    }
    ul {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .workspace,
    .errors li {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 8px;
      padding: 4px 0;
      overflow-wrap: anywhere;
    }
    .scopes {
      font: var(--mat-sys-body-small);
    }
    .install {
      display: inline-block;
      margin-top: 8px;
      padding: 8px 16px;
      border-radius: var(--mat-sys-corner-full);
      background: var(--mat-sys-primary);
      color: var(--mat-sys-on-primary);
      text-decoration: none;
      font: var(--mat-sys-label-large);
    }
    .error {
      color: var(--mat-sys-error);
    }
    .muted,
    .not-connected {
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class SlackConnectionStatus {
  readonly connection = input.required<SlackConnectionView>();
  protected readonly installUrl = SLACK_INSTALL_URL;
  protected readonly installing = signal(false);
  protected readonly installProblem = signal<Problem | null>(null);
  private readonly api = inject(SlackApi);
  private readonly destroyRef = inject(DestroyRef);

  /**
   * The install route is admin-only and a plain link carries no token: ask for Slack's consent
   * URL with it, then send the browser there.
   */
  protected install(event: Event): void {
    event.preventDefault();
    if (this.installing()) return;
    this.installing.set(true);
    this.installProblem.set(null);
    this.api
      .installUrl()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: ({ url }) => {
          this.installing.set(false);
          navigation.assign(url);
        },
        error: (e: unknown) => {
          this.installing.set(false);
          this.installProblem.set(problemFrom(e));
        },
      });
  }
}
