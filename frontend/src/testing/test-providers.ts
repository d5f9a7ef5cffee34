import { InteractivityChecker } from '@angular/cdk/a11y';
import { Injectable, type Provider } from '@angular/core';

/**
 * jsdom lays nothing out, so every element has no size and the CDK's checker calls it invisible,
 * hence not focusable: dialogs then warn that their `cdkFocusInitial` element cannot take focus
 * (it can in a browser). In unit tests, judge visibility by style alone.
 */
@Injectable()
class LayoutFreeInteractivityChecker extends InteractivityChecker {
  override isVisible(element: HTMLElement): boolean {
    return getComputedStyle(element).visibility === 'visible' && !element.closest('[hidden]');
  }
}

/** Providers every unit test's TestBed gets (angular.json `test.options.providersFile`). */
export default [
  { provide: InteractivityChecker, useClass: LayoutFreeInteractivityChecker },
] satisfies Provider[];
