import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { fakeLiveSockets, FakeLiveSocket, signInLive } from '../../../testing/fake-live-socket';
import { LiveStatus } from './live-status';

describe('LiveStatus', () => {
  let socket: FakeLiveSocket;

  function render() {
    const fakes = fakeLiveSockets();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        fakes.provider as never,
      ],
    });
    socket = signInLive(fakes.sockets);
    const fixture = TestBed.createComponent(LiveStatus);
    fixture.detectChanges();
    const status = () =>
      (fixture.nativeElement as HTMLElement).querySelector<HTMLElement>('[role="status"]')!;
    return { fixture, status };
  }

  afterEach(() => {
    TestBed.inject(HttpTestingController).verify();
  });

  it('says "Live" while connected, with an icon and text screen readers get too', () => {
    const { status } = render();
    expect(status().dataset['state']).toBe('live');
    expect(status().textContent).toContain('Live');
    expect(status().querySelector('nx-icon')).not.toBeNull();
  });

  it('shows "Reconnecting…" with an explanation when the connection drops, and "Live" once back', async () => {
    const { fixture, status } = render();
    socket.lose();
    await fixture.whenStable();
    expect(status().dataset['state']).toBe('reconnecting');
    expect(status().textContent).toContain('Reconnecting…');
    expect(status().textContent).toContain('Changes made meanwhile appear once it is back');
    expect(status().getAttribute('tabindex')).toBe('0'); // the tooltip is reachable by keyboard

    socket.acceptConnection(true);
    await fixture.whenStable();
    expect(status().dataset['state']).toBe('live');
  });
});
