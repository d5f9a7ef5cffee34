import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatCard, MatCardContent, MatCardHeader, MatCardTitle } from '@angular/material/card';

@Component({
  selector: 'nx-incident-list',
  imports: [MatCard, MatCardHeader, MatCardTitle, MatCardContent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Incidents</h1>
    <p class="nx-page-intro">
      Incidents synchronised from ServiceNow will be listed here with their priority, state and assignee,
      ready to search and filter.
    </p>
    <mat-card appearance="outlined">
      <mat-card-header>
        <h2 matCardTitle>No incident list yet</h2>
      </mat-card-header>
      <mat-card-content>
        <p>The list will load from the incidents API once it is available.</p>
      </mat-card-content>
    </mat-card>
  `,
})
export class IncidentList {}
