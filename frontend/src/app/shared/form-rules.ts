import { AbstractControl, ValidationErrors, Validators } from '@angular/forms';

// Angular's Validators are static methods; passed around bare, typescript-eslint's unbound-method
// rule cannot tell they ignore `this`. These plain functions are the same checks.

/** A value must be present (not empty, not only absent). */
export function required(control: AbstractControl): ValidationErrors | null {
  return Validators.required(control);
}

/** An email address, by Angular's (WHATWG-based) pattern; an empty value passes. */
export function emailAddress(control: AbstractControl): ValidationErrors | null {
  return Validators.email(control);
}
