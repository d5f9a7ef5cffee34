import { ChangeDetectionStrategy, Component, inject } from '@angular/core';

import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { SlackApi } from './slack-api';
import { SlackConnectionStatus } from './slack-connection-status';
import { SlackRoutingRules } from './slack-routing-rules';

/** The Slack section of the Integrations page: the connection, then the routing rules. */
@Component({
  selector: 'nx-slack-settings',
  imports: [ProblemNotice, SlackConnectionStatus, SlackRoutingRules],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="layout">
      <section class="panel" aria-labelledby="slack-connection-heading">
        <h3 id="slack-connection-heading">Connection</h3>
        @if (connection.hasValue() && connection.value(); as c) {
          <nx-slack-connection-status [connection]="c" />
        } @else if (connection.error(); as error) {
          <nx-problem-notice [error]="error" />
        } @else {
          <p class="muted" role="status">Loading the Slack connection…</p>
        }
      </section>
      <section class="panel" aria-labelledby="slack-routes-heading">
        <h3 id="slack-routes-heading">Routing rules</h3>
        <nx-slack-routing-rules />
      </section>
    </div>
  `,
  styleUrl: './integration-panels.scss',
  styles: `
    .layout {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr));
      gap: 16px;
      align-items: start;
    }
  `,
})
export class SlackSettings {
  protected readonly connection = inject(SlackApi).connection();
}
