import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatCard, MatCardContent, MatCardHeader, MatCardTitle } from '@angular/material/card';

@Component({
  selector: 'nx-live-feed',
  imports: [MatCard, MatCardHeader, MatCardTitle, MatCardContent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Live feed</h1>
    <p class="nx-page-intro">
      New and updated incidents from ServiceNow, and the Slack conversations about them, will stream here as
      they happen.
    </p>
    <mat-card appearance="outlined">
      <mat-card-header>
        <h2 matCardTitle>Not connected yet</h2>
      </mat-card-header>
      <mat-card-content>
        <p>This page will subscribe to the real-time gateway once it is available.</p>
      </mat-card-content>
    </mat-card>
  `,
})
export class LiveFeed {}
