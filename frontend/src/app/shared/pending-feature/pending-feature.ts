import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatCard, MatCardContent, MatCardHeader, MatCardTitle } from '@angular/material/card';

/** The card a page shows until its feature lands: what is missing and what will fill it. */
@Component({
  selector: 'nx-pending-feature',
  imports: [MatCard, MatCardHeader, MatCardTitle, MatCardContent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <mat-card-header>
        <h2 matCardTitle>{{ heading() }}</h2>
      </mat-card-header>
      <mat-card-content>
        <p><ng-content /></p>
      </mat-card-content>
    </mat-card>
  `,
})
export class PendingFeature {
  readonly heading = input.required<string>();
}
