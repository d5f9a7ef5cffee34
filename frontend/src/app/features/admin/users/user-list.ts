import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatCard, MatCardContent, MatCardHeader, MatCardTitle } from '@angular/material/card';

@Component({
  selector: 'nx-user-list',
  imports: [MatCard, MatCardHeader, MatCardTitle, MatCardContent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Users</h1>
    <p class="nx-page-intro">
      The people who can sign in to the console, and the role each one holds, will be managed here.
    </p>
    <mat-card appearance="outlined">
      <mat-card-header>
        <h2 matCardTitle>No user management yet</h2>
      </mat-card-header>
      <mat-card-content>
        <p>Users and roles will load from the API once it is available.</p>
      </mat-card-content>
    </mat-card>
  `,
})
export class UserList {}
