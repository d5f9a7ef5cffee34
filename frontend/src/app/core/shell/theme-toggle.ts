import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatIconButton } from '@angular/material/button';
import { MatMenu, MatMenuItem, MatMenuTrigger } from '@angular/material/menu';
import { MatTooltip } from '@angular/material/tooltip';

import { Icon, IconName } from '../../shared/icon/icon';
import { THEME_MODES, ThemeMode, ThemePreference } from '../theme/theme-preference';

interface ThemeOption {
  readonly mode: ThemeMode;
  readonly label: string;
  readonly icon: IconName;
}

const OPTIONS = {
  light: { mode: 'light', label: 'Light', icon: 'light-mode' },
  dark: { mode: 'dark', label: 'Dark', icon: 'dark-mode' },
  system: { mode: 'system', label: 'System', icon: 'contrast' },
} as const satisfies Record<ThemeMode, ThemeOption>;

@Component({
  selector: 'nx-theme-toggle',
  imports: [MatIconButton, MatMenu, MatMenuItem, MatMenuTrigger, MatTooltip, Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <button
      matIconButton
      type="button"
      [matMenuTriggerFor]="menu"
      [attr.aria-label]="'Theme: ' + current().label + '. Change theme'"
      [matTooltip]="'Theme: ' + current().label"
    >
      <nx-icon [name]="current().icon" />
    </button>
    <mat-menu #menu="matMenu" xPosition="before" aria-label="Theme">
      @for (option of options; track option.mode) {
        <button
          mat-menu-item
          type="button"
          role="menuitemradio"
          [attr.aria-checked]="option.mode === preference.mode()"
          [attr.data-mode]="option.mode"
          (click)="preference.set(option.mode)"
        >
          <nx-icon class="menu-icon" [name]="option.icon" />
          <span>{{ option.label }}</span>
          @if (option.mode === preference.mode()) {
            <nx-icon class="selected-icon" name="check" />
          }
        </button>
      }
    </mat-menu>
  `,
  styles: `
    .menu-icon {
      margin-inline-end: 12px;
    }
    .selected-icon {
      margin-inline-start: 12px;
      --nx-icon-size: 20px;
    }
  `,
})
export class ThemeToggle {
  protected readonly preference = inject(ThemePreference);
  protected readonly options: readonly ThemeOption[] = THEME_MODES.map((mode) => OPTIONS[mode]);
  protected readonly current = computed<ThemeOption>(() => OPTIONS[this.preference.mode()]);
}
