import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatCard, MatCardActions, MatCardContent } from '@angular/material/card';
import { Router, RouterLink } from '@angular/router';

@Component({
  selector: 'nx-not-found',
  imports: [MatCard, MatCardContent, MatCardActions, MatButton, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Page not found</h1>
    <p class="nx-page-intro">There is no console page at this address.</p>
    <mat-card appearance="outlined">
      <mat-card-content>
        <p>
          Nothing matches <code class="requested-url">{{ requestedUrl }}</code>. Check the address or go back
          to the live feed.
        </p>
      </mat-card-content>
      <mat-card-actions>
        <a matButton="filled" routerLink="/feed">Go to the live feed</a>
      </mat-card-actions>
    </mat-card>
  `,
  styles: `
    .requested-url {
      overflow-wrap: anywhere;
    }
  `,
})
export class NotFound {
  protected readonly requestedUrl = inject(Router).url;
}
