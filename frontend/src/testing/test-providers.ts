import { InteractivityChecker } from '@angular/cdk/a11y';
import { Injectable, type Provider } from '@angular/core';

import { LIVE_SOCKET_FACTORY, LiveSocket } from '../app/core/live/live-socket';

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

class NeverConnectingSocket implements LiveSocket {
  readonly connected = false;
  readonly active = false;
  readonly recovered = false;
  on(): this {
    return this;
  }
  emit(): this {
    return this;
  }
  connect(): this {
    return this;
  }
  disconnect(): this {
    return this;
  }
}

/** Providers every unit test's TestBed gets (angular.json `test.options.providersFile`). */
export default [
  { provide: InteractivityChecker, useClass: LayoutFreeInteractivityChecker },
  // Unit tests never open a network socket: a signed-in console gets a /live socket that never
  // connects. Specs about live updates provide their own (fakeLiveSockets()).
  { provide: LIVE_SOCKET_FACTORY, useValue: (): LiveSocket => new NeverConnectingSocket() },
] satisfies Provider[];
