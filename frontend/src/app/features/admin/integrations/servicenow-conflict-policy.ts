import { ChangeDetectionStrategy, Component, inject } from '@angular/core';

import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { ServiceNowApi } from './servicenow-api';
import { OWNER_LABELS } from './servicenow-mapping';

/**
 * The written conflict policy (docs/servicenow.md): for each mapped field, which side wins when
 * both changed it: ServiceNow, Nexecute, or the last writer by `sys_updated_on` / `sys_mod_count`.
 */
@Component({
  selector: 'nx-servicenow-conflict-policy',
  imports: [ProblemNotice],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (policy.error(); as error) {
      <nx-problem-notice [error]="error" />
    } @else if (policy.hasValue()) {
      @if (policy.value().fields.length) {
        <div class="table-scroll">
          <table class="policy" aria-label="Conflict policy">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">ServiceNow field</th>
                <th scope="col">Owner</th>
              </tr>
            </thead>
            <tbody>
              @for (field of policy.value().fields; track field.ours) {
                <tr [attr.data-field]="field.ours">
                  <th scope="row">
                    <code>{{ field.ours }}</code>
                  </th>
                  <td>
                    <code>{{ field.theirs }}</code>
                  </td>
                  <td class="owner" [attr.data-owner]="field.owner">{{ ownerLabels[field.owner] }}</td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        <p class="legend">
          The owner's value wins when both sides changed a field. "Last writer": the newer change wins, by
          ServiceNow's <code>sys_updated_on</code> and then <code>sys_mod_count</code>.
        </p>
      } @else {
        <p class="muted">No fields are synchronised.</p>
      }
    } @else if (policy.isLoading()) {
      <p class="muted" role="status">Loading the conflict policy…</p>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .policy {
      width: 100%;
      border-collapse: collapse;
      font: var(--mat-sys-body-medium);
    }
    th,
    td {
      padding: 6px 8px;
      text-align: start;
      border-bottom: 1px solid var(--mat-sys-outline-variant);
    }
    thead th {
      font: var(--mat-sys-title-small);
    }
    /* Long field names break rather than push the owner column off a phone's screen. */
    code {
      overflow-wrap: anywhere;
    }
    .legend,
    .muted {
      margin: 8px 0 0;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class ServiceNowConflictPolicy {
  protected readonly policy = inject(ServiceNowApi).conflictPolicy();
  protected readonly ownerLabels = OWNER_LABELS;
}
