import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatCard, MatCardContent, MatCardHeader, MatCardTitle } from '@angular/material/card';

@Component({
  selector: 'nx-integration-settings',
  imports: [MatCard, MatCardHeader, MatCardTitle, MatCardContent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Integrations</h1>
    <p class="nx-page-intro">
      The connections to your ServiceNow instance and Slack workspace will be configured and checked here.
    </p>
    <mat-card appearance="outlined">
      <mat-card-header>
        <h2 matCardTitle>No integrations configured yet</h2>
      </mat-card-header>
      <mat-card-content>
        <p>Connection settings and health checks will load from the API once they are available.</p>
      </mat-card-content>
    </mat-card>
  `,
})
export class IntegrationSettings {}
