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
        <p class="message">
          Nothing matches <code class="requested-url">{{ requestedUrl }}</code>. Check the address or go back
          to the live feed.
        </p>
      </mat-card-content>
      <mat-card-actions class="actions">
        <a matButton="filled" routerLink="/feed">Go to the live feed</a>
      </mat-card-actions>
    </mat-card>
  `,
  styles: `
    /* The card content already pads 16px above the text; a paragraph margin would double it. */
    .message {
      margin: 0;
    }
    .requested-url {
      overflow-wrap: anywhere;
    }
    /* Material's 8px actions padding suits text buttons; a filled button lines up with the
       content's 16px inset, with the same 16px above and below it as around the text. */
    .actions {
      padding: 16px;
    }
  `,
})
export class NotFound {
  protected readonly requestedUrl = inject(Router).url;
}
