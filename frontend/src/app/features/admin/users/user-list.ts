import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PendingFeature } from '../../../shared/pending-feature/pending-feature';

@Component({
  selector: 'nx-user-list',
  imports: [PendingFeature],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Users</h1>
    <p class="nx-page-intro">
      The people who can sign in to the console, and the role each one holds, will be managed here.
    </p>
    <nx-pending-feature heading="No user management yet"
      >Users and roles will load from the API once it is available.</nx-pending-feature
    >
  `,
})
export class UserList {}
