import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  linkedSignal,
} from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatProgressBar } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';

import { Icon } from '../../../shared/icon/icon';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { ServiceNowApi, ServiceNowHealthView } from './servicenow-api';
import { CIRCUIT_LABELS } from './servicenow-mapping';

export const HEALTH_REFRESH_MS = 15_000;
/** While the first import runs, its progress is fetched this often. */
export const IMPORT_REFRESH_MS = 3_000;
/** A refresh token this close to its end warns: the sync stops when it expires without a new grant. */
const REFRESH_TOKEN_WARNING_MS = 7 * 24 * 3600_000;

/** "42 s", "3 min", "2 h 5 min": how far behind the reconciliation is. */
export function formatLag(seconds: number): string {
  if (seconds < 60) return `${String(Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${String(minutes)} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${String(hours)} h ${String(rest)} min` : `${String(hours)} h`;
}

/**
 * How the connection is doing, refreshed every 15 s: the circuit breaker, the tokens, webhooks
 * and reconciliation, the syncs waiting or failed, the calls per operation with their latency,
 * and the latest errors in the instance's words.
 */
@Component({
  selector: 'nx-servicenow-health',
  imports: [DatePipe, RouterLink, MatButton, MatProgressBar, Icon, ProblemNotice],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="toolbar">
      <p class="refreshed muted" aria-live="off">
        @if (checkedAt(); as at) {
          Checked {{ at | date: 'mediumTime' }} · refreshes every 15 s
        } @else {
          Refreshes every 15 s
        }
      </p>
      <button matButton type="button" [disabled]="health.isLoading()" (click)="refresh()">
        <nx-icon name="sync" />
        Refresh
      </button>
    </div>

    @if (health.error(); as error) {
      <nx-problem-notice class="problem" [error]="error" />
    }

    @if (last(); as h) {
      @if (h.firstImport; as fi) {
        <section class="first-import" [attr.data-state]="fi.state" aria-labelledby="first-import-heading">
          <h3 id="first-import-heading">First import of open incidents</h3>
          @switch (fi.state) {
            @case ('pending') {
              <p class="muted">Waiting to start: it runs with the first reconciliation.</p>
            }
            @case ('running') {
              <mat-progress-bar
                [mode]="fi.total ? 'determinate' : 'indeterminate'"
                [value]="importPercent()"
                aria-labelledby="first-import-heading"
                [attr.aria-valuetext]="importText()"
              />
              <p class="progress-text" role="status">{{ importText() }}</p>
            }
            @case ('done') {
              <p class="done">
                Done: {{ fi.imported }} {{ fi.imported === 1 ? 'incident' : 'incidents' }} imported
                @if (fi.finishedAt) {
                  · {{ fi.finishedAt | date: 'medium' }}
                }
              </p>
            }
            @case ('failed') {
              <p class="warn">
                Stopped after {{ importText() }}: {{ fi.lastError ?? 'no detail' }}. The next reconciliation
                resumes where it stopped.
              </p>
            }
          }
        </section>
      }
      <dl class="summary">
        <dt>Circuit</dt>
        <dd class="circuit" [attr.data-circuit]="h.circuit">{{ circuitLabels[h.circuit] }}</dd>
        <dt>Access token expires</dt>
        <dd>{{ h.tokenExpiresAt ? (h.tokenExpiresAt | date: 'medium') : 'No token yet' }}</dd>
        <dt>Refresh token expires</dt>
        <dd [class.warn]="refreshTokenEnding()">
          {{ h.refreshTokenExpiresAt ? (h.refreshTokenExpiresAt | date: 'medium') : '—' }}
          @if (refreshTokenEnding()) {
            <span class="note">(soon: the configured grant runs again then)</span>
          }
        </dd>
        <dt>Last webhook received</dt>
        <dd>{{ h.lastWebhookAt ? (h.lastWebhookAt | date: 'medium') : 'None yet' }}</dd>
        <dt>Last reconciliation</dt>
        <dd>{{ h.lastReconciliationAt ? (h.lastReconciliationAt | date: 'medium') : 'None yet' }}</dd>
        <dt>Reconciliation lag</dt>
        <dd>{{ h.reconciliationLagSeconds === null ? '—' : lag(h.reconciliationLagSeconds) }}</dd>
        <dt>Pending syncs</dt>
        <dd class="pending">{{ h.pendingSyncs ?? '—' }}</dd>
        <dt>Failed syncs</dt>
        <dd class="failed" [class.warn]="!!h.failedSyncs">
          {{ h.failedSyncs ?? '—' }}
          @if (h.failedSyncs) {
            ·
            <a routerLink="/admin/deliveries" [queryParams]="{ consumer: 'servicenow', status: 'failed' }"
              >See the deliveries</a
            >
          }
        </dd>
      </dl>

      <h3 id="calls-heading">Calls to the instance</h3>
      @if (h.calls.length) {
        <div class="table-scroll">
          <table class="calls" aria-labelledby="calls-heading">
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col" class="num">Calls</th>
                <th scope="col" class="num">Errors</th>
                <th scope="col" class="num">p50</th>
                <th scope="col" class="num">p95</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              @for (call of h.calls; track call.operation) {
                <tr [attr.data-operation]="call.operation">
                  <th scope="row">
                    <code>{{ call.operation }}</code>
                  </th>
                  <td class="num">{{ call.count }}</td>
                  <td class="num" [class.warn]="call.errors > 0">{{ call.errors }}</td>
                  <td class="num">{{ call.p50Ms === null ? '—' : call.p50Ms + ' ms' }}</td>
                  <td class="num">{{ call.p95Ms === null ? '—' : call.p95Ms + ' ms' }}</td>
                  <td class="error-text">
                    @if (call.lastError) {
                      {{ call.lastError }}
                      @if (call.lastErrorAt) {
                        <span class="muted">({{ call.lastErrorAt | date: 'short' }})</span>
                      }
                    } @else {
                      —
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      } @else {
        <p class="muted empty-calls">No calls to the instance yet.</p>
      }

      <h3 id="errors-heading">Recent errors</h3>
      @if (h.recentErrors.length) {
        <ul class="errors" aria-labelledby="errors-heading">
          @for (error of h.recentErrors; track $index) {
            <li>
              @if (error.at) {
                <time [attr.datetime]="error.at">{{ error.at | date: 'medium' }}</time>
              }
              <code>{{ error.operation }}</code>
              <span class="status">{{ error.status === null ? 'no answer' : 'HTTP ' + error.status }}</span>
              <span class="message">{{ error.message }}</span>
            </li>
          }
        </ul>
      } @else {
        <p class="muted no-errors">No recent errors.</p>
      }
    } @else if (health.isLoading()) {
      <p class="muted" role="status">Loading the connection's health…</p>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 12px;
      align-items: center;
      justify-content: space-between;
    }
    .refreshed {
      margin: 0;
      font: var(--mat-sys-body-small);
    }
    .problem {
      display: block;
      margin: 8px 0;
    }
    .summary {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 6px 12px;
      margin: 8px 0 0;
    }
    dt {
      color: var(--mat-sys-on-surface-variant);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    @media (max-width: 480px) {
      .summary {
        grid-template-columns: 1fr;
        gap: 0;
      }
      dd {
        margin-bottom: 8px;
      }
    }
    .circuit[data-circuit='open'],
    .warn {
      color: var(--mat-sys-error);
    }
    .circuit[data-circuit='closed'] {
      color: var(--nx-status-ok);
    }
    h3 {
      margin: 16px 0 8px;
      font: var(--mat-sys-title-small);
    }
    .calls {
      width: 100%;
      border-collapse: collapse;
      font: var(--mat-sys-body-medium);
    }
    .calls th,
    .calls td {
      padding: 6px 8px;
      text-align: start;
      border-bottom: 1px solid var(--mat-sys-outline-variant);
      vertical-align: top;
    }
    .calls thead th {
      font: var(--mat-sys-title-small);
    }
    .calls .num {
      text-align: end;
      white-space: nowrap;
    }
    .error-text {
      overflow-wrap: anywhere;
      min-width: 12rem;
    }
    .errors {
      display: flex;
      flex-direction: column;
      gap: 6px;
      margin: 0;
      padding: 0;
      list-style: none;
      font: var(--mat-sys-body-medium);
    }
    .errors li {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 8px;
    }
    .errors .message {
      flex-basis: 100%;
      overflow-wrap: anywhere;
      color: var(--mat-sys-error);
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
    }
    .first-import p {
      margin: 4px 0 0;
      overflow-wrap: anywhere;
    }
    .first-import mat-progress-bar {
      margin-top: 4px;
    }
    .first-import .done {
      color: var(--nx-status-ok);
    }
    .note {
      font: var(--mat-sys-body-small);
    }
  `,
})
export class ServiceNowHealth {
  protected readonly health = inject(ServiceNowApi).health();
  protected readonly circuitLabels = CIRCUIT_LABELS;
  protected readonly lag = formatLag;

  /** The last answer, kept on screen while a refresh is in flight or after it failed. */
  protected readonly last = linkedSignal<ServiceNowHealthView | undefined, ServiceNowHealthView | undefined>({
    source: () => (this.health.hasValue() ? this.health.value() : undefined),
    computation: (next, previous) => next ?? previous?.value,
  });
  protected readonly checkedAt = linkedSignal<ServiceNowHealthView | undefined, Date | undefined>({
    source: () => (this.health.hasValue() ? this.health.value() : undefined),
    computation: (next, previous) => (next ? new Date() : previous?.value),
  });
  protected readonly refreshTokenEnding = computed(() => {
    const at = this.last()?.refreshTokenExpiresAt;
    return at ? Date.parse(at) - Date.now() < REFRESH_TOKEN_WARNING_MS : false;
  });

  private readonly firstImport = computed(() => this.last()?.firstImport ?? null);
  /** 0–100 of the instance's count; 0 while the count is not known. */
  protected readonly importPercent = computed(() => {
    const fi = this.firstImport();
    return fi?.total ? Math.min(100, Math.round((fi.imported / fi.total) * 100)) : 0;
  });
  /** "120 of 250 open incidents imported (48 %)", "120 open incidents imported" before the count is known. */
  protected readonly importText = computed(() => {
    const fi = this.firstImport();
    if (!fi) return '';
    return fi.total === null
      ? `${String(fi.imported)} open incidents imported`
      : `${String(fi.imported)} of ${String(fi.total)} open incidents imported (${String(this.importPercent())} %)`;
  });

  constructor() {
    const timer = setInterval(() => {
      this.health.reload();
    }, HEALTH_REFRESH_MS);
    // The first import's progress moves faster than the rest: follow it while it runs.
    const importTimer = setInterval(() => {
      if (this.firstImport()?.state === 'running' && !this.health.isLoading()) this.health.reload();
    }, IMPORT_REFRESH_MS);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(timer);
      clearInterval(importTimer);
    });
  }

  protected refresh(): void {
    this.health.reload();
  }
}
