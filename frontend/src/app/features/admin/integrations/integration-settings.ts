import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PendingFeature } from '../../../shared/pending-feature/pending-feature';

@Component({
  selector: 'nx-integration-settings',
  imports: [PendingFeature],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Integrations</h1>
    <p class="nx-page-intro">
      The connections to your ServiceNow instance and Slack workspace will be configured and checked here.
    </p>
    <nx-pending-feature heading="No integrations configured yet"
      >Connection settings and health checks will load from the API once they are
      available.</nx-pending-feature
    >
  `,
})
export class IntegrationSettings {}
