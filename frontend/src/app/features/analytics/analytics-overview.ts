import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PendingFeature } from '../../shared/pending-feature/pending-feature';

@Component({
  selector: 'nx-analytics-overview',
  imports: [PendingFeature],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Analytics</h1>
    <p class="nx-page-intro">
      Mean time to acknowledge (MTTA) and to resolve (MTTR), and incident volume by priority, will be charted
      here.
    </p>
    <nx-pending-feature heading="No charts yet"
      >Charts will be drawn from the analytics API once it is available.</nx-pending-feature
    >
  `,
})
export class AnalyticsOverview {}
