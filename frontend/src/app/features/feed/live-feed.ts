import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PendingFeature } from '../../shared/pending-feature/pending-feature';

@Component({
  selector: 'nx-live-feed',
  imports: [PendingFeature],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Live feed</h1>
    <p class="nx-page-intro">
      New and updated incidents from ServiceNow, and the Slack conversations about them, will stream here as
      they happen.
    </p>
    <nx-pending-feature heading="Not connected yet"
      >This page will subscribe to the real-time gateway once it is available.</nx-pending-feature
    >
  `,
})
export class LiveFeed {}
