import { ChangeDetectionStrategy, Component, computed, inject, linkedSignal } from '@angular/core';

import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { ServiceNowApi, ServiceNowConnectionView } from './servicenow-api';
import { ServiceNowConflictPolicy } from './servicenow-conflict-policy';
import { ServiceNowConnectionForm } from './servicenow-connection-form';
import { ServiceNowHealth } from './servicenow-health';
import { SlackSettings } from './slack-settings';

/**
 * The connections to other systems. ServiceNow: its settings and test, then its health and the
 * conflict policy. Slack: its connection and routing rules (SlackSettings).
 */
@Component({
  selector: 'nx-integration-settings',
  imports: [
    ProblemNotice,
    ServiceNowConnectionForm,
    ServiceNowHealth,
    ServiceNowConflictPolicy,
    SlackSettings,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Integrations</h1>
    <p class="nx-page-intro">
      The connections to your ServiceNow instance and Slack workspace: their settings, a test, and how they
      are doing.
    </p>

    <section class="integration" aria-labelledby="servicenow-heading">
      <h2 id="servicenow-heading">ServiceNow</h2>
      @if (connection(); as c) {
        <div class="layout">
          <section class="panel" aria-labelledby="servicenow-connection-heading">
            <h3 id="servicenow-connection-heading">Connection</h3>
            <nx-servicenow-connection-form
              [connection]="c"
              (saved)="written.set($event)"
              (managedElsewhere)="reload()"
            />
          </section>
          <div class="side">
            <section class="panel" aria-labelledby="servicenow-health-heading">
              <h3 id="servicenow-health-heading">Health</h3>
              @if (c.configured) {
                <nx-servicenow-health />
              } @else {
                <p class="muted">Connect an instance to see its health here.</p>
              }
            </section>
            <section class="panel" aria-labelledby="servicenow-policy-heading">
              <h3 id="servicenow-policy-heading">Conflict policy</h3>
              <nx-servicenow-conflict-policy />
            </section>
          </div>
        </div>
      } @else if (loaded.error(); as error) {
        <nx-problem-notice [error]="error" />
      } @else {
        <p class="muted" role="status">Loading the ServiceNow connection…</p>
      }
    </section>

    <section class="integration" aria-labelledby="slack-heading">
      <h2 id="slack-heading">Slack</h2>
      <nx-slack-settings />
    </section>
  `,
  styleUrl: './integration-panels.scss',
  styles: `
    .integration {
      margin-bottom: 32px;
    }
    h2 {
      margin: 0 0 12px;
      font: var(--mat-sys-title-large);
    }
    .layout {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr));
      gap: 16px;
      align-items: start;
    }
    .side {
      display: flex;
      flex-direction: column;
      gap: 16px;
      min-width: 0;
    }
  `,
})
export class IntegrationSettings {
  protected readonly loaded = inject(ServiceNowApi).connection();
  /** The connection as the last save returned it, until it is fetched again. */
  protected readonly written = linkedSignal<unknown, ServiceNowConnectionView | undefined>({
    source: () => (this.loaded.hasValue() ? this.loaded.value() : undefined),
    computation: () => undefined,
  });
  protected readonly connection = computed(
    () => this.written() ?? (this.loaded.hasValue() ? this.loaded.value() : undefined),
  );

  protected reload(): void {
    this.loaded.reload();
  }
}
