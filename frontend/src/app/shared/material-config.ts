import { DialogRole, MatDialogConfig } from '@angular/material/dialog';
import { MatSnackBarConfig } from '@angular/material/snack-bar';

// Material's option bags are classes; building real instances keeps typescript-eslint's
// no-unsafe-class-instance-assignment satisfied without casting object literals.

export interface DialogOptions<D> {
  readonly width: string;
  readonly data?: D;
  readonly role?: DialogRole;
  /** For dialogs whose content would be lost by a stray click on the backdrop or Escape. */
  readonly disableClose?: boolean;
}

export function dialogConfig<D = undefined>(options: DialogOptions<D>): MatDialogConfig<D> {
  const config = new MatDialogConfig<D>();
  config.width = options.width;
  config.maxWidth = 'calc(100vw - 32px)';
  if (options.data !== undefined) config.data = options.data;
  if (options.role) config.role = options.role;
  if (options.disableClose) config.disableClose = true;
  return config;
}

/** A short confirmation that goes away by itself (and is announced politely). */
export function toastConfig(durationMs = 5000): MatSnackBarConfig {
  const config = new MatSnackBarConfig();
  config.duration = durationMs;
  return config;
}
