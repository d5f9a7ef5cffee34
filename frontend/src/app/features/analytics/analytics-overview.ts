import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatCard, MatCardContent, MatCardHeader, MatCardTitle } from '@angular/material/card';

@Component({
  selector: 'nx-analytics-overview',
  imports: [MatCard, MatCardHeader, MatCardTitle, MatCardContent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Analytics</h1>
    <p class="nx-page-intro">
      Charts of incident volume by priority and mean time to resolve will appear here.
    </p>
    <mat-card appearance="outlined">
      <mat-card-header>
        <h2 matCardTitle>No charts yet</h2>
      </mat-card-header>
      <mat-card-content>
        <p>Charts will be drawn from the analytics API once it is available.</p>
      </mat-card-content>
    </mat-card>
  `,
})
export class AnalyticsOverview {}
