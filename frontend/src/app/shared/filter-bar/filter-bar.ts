import { ChangeDetectionStrategy, Component, input, model } from '@angular/core';
import { MatFormField, MatLabel, MatPrefix } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';

import { Icon } from '../icon/icon';

/**
 * The row of filters above a list: an optional search box (`searchLabel`, two-way `search`) and
 * the page's own fields, projected, wrapping on narrow screens. A `role="search"` landmark named
 * by `label`.
 */
@Component({
  selector: 'nx-filter-bar',
  imports: [MatFormField, MatLabel, MatPrefix, MatInput, Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'filters', role: 'search', '[attr.aria-label]': 'label()' },
  template: `
    @if (searchLabel(); as searchLabel) {
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="search">
        <mat-label>{{ searchLabel }}</mat-label>
        <nx-icon matPrefix name="search" class="prefix-icon" />
        <input
          #searchBox
          matInput
          type="search"
          autocomplete="off"
          [attr.placeholder]="searchPlaceholder()"
          [value]="search()"
          (input)="search.set(searchBox.value)"
        />
      </mat-form-field>
    }
    <ng-content />
  `,
  styles: `
    :host {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: center;
      margin-bottom: 16px;
    }
    .search {
      flex: 1 1 280px;
    }
    .prefix-icon {
      margin-inline: 12px 4px;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class FilterBar {
  /** Names the landmark: "Filter incidents". */
  readonly label = input.required<string>();
  /** Shows the search box, labelled so. */
  readonly searchLabel = input<string>();
  readonly searchPlaceholder = input<string | null>(null);
  /** What is in the search box. */
  readonly search = model('');
}
