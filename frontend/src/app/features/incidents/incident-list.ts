import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PendingFeature } from '../../shared/pending-feature/pending-feature';

@Component({
  selector: 'nx-incident-list',
  imports: [PendingFeature],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Incidents</h1>
    <p class="nx-page-intro">
      Incidents synchronised from ServiceNow will be listed here with their priority, state and assignee,
      ready to search and filter.
    </p>
    <nx-pending-feature heading="No incident list yet"
      >The list will load from the incidents API once it is available.</nx-pending-feature
    >
  `,
})
export class IncidentList {}
