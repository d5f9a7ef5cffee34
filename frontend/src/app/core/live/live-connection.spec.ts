import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';

import { tokenResponse, userView } from '../../../testing/auth-fixtures';
import {
  currentSocket,
  fakeLiveSockets,
  FakeLiveSocket,
  incidentCommented,
  incidentUpdated,
} from '../../../testing/fake-live-socket';
import { incidentView } from '../../../testing/incident-fixtures';
import { problemInterceptor } from '../problem-interceptor';
import { Session } from '../session/session';
import { LiveConnection, LiveResync } from './live-connection';
import { IncidentEvent } from './live-protocol';

@Component({ template: '', changeDetection: ChangeDetectionStrategy.OnPush })
class Blank {}

describe('LiveConnection', () => {
  let backend: HttpTestingController;
  let session: Session;
  let live: LiveConnection;
  let sockets: FakeLiveSocket[];
  let received: IncidentEvent[];
  let resyncs: LiveResync[];

  function signIn(accessToken = 'token-1'): void {
    session.login('a@example.test', 'pw').subscribe();
    backend.expectOne('/api/auth/login').flush(tokenResponse(userView({ role: 'responder' }), accessToken));
    TestBed.tick();
  }

  beforeEach(() => {
    const fakes = fakeLiveSockets();
    sockets = fakes.sockets;
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', component: Blank },
          { path: 'feed', component: Blank },
        ]),
        fakes.provider as never,
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    session = TestBed.inject(Session);
    live = TestBed.inject(LiveConnection);
    received = [];
    resyncs = [];
    live.incidentEvents$.subscribe((e) => received.push(e));
    live.resync$.subscribe((r) => resyncs.push(r));
  });

  afterEach(() => {
    vi.useRealTimers();
    backend.verify();
  });

  it('stays offline while signed out, connects with the access token on sign-in', () => {
    TestBed.tick();
    expect(sockets).toHaveLength(0);
    expect(live.state()).toBe('offline');

    signIn('token-1');
    const socket = currentSocket(sockets);
    expect(socket.connectCalls).toBe(1);
    expect(socket.handshakeToken()).toBe('token-1');
    expect(live.state()).toBe('connecting');

    socket.acceptConnection();
    expect(live.state()).toBe('live');
  });

  it('disconnects on sign-out', () => {
    signIn();
    const socket = currentSocket(sockets);
    socket.acceptConnection();
    session.clear();
    TestBed.tick();
    expect(socket.connected).toBe(false);
    expect(live.state()).toBe('offline');
  });

  it('applies a batch in order and ignores versions it has already seen', () => {
    signIn();
    const socket = currentSocket(sockets);
    socket.acceptConnection();
    const incident = incidentView({ version: 3 });
    const v4 = { ...incident, version: 4, title: 'four' };
    const v5 = { ...incident, version: 5, title: 'five' };

    socket.batch(incidentUpdated(v4), incidentUpdated(v5), incidentUpdated(v4));
    socket.batch(incidentUpdated(v5), incidentUpdated({ ...incident, version: 2 }));

    expect(received.map((e) => ('version' in e ? e.version : null))).toEqual([4, 5]);
    expect(live.versionOf(incident.id)).toBe(5);
  });

  it('passes each comment on once, even when repeated', () => {
    signIn();
    const socket = currentSocket(sockets);
    socket.acceptConnection();
    const comment = incidentCommented('i-1', 'on it');
    socket.batch(comment, comment);
    expect(received).toEqual([comment]);
  });

  it('subscribes with an acknowledgement, shares a room between watchers, unsubscribes after the last', () => {
    signIn();
    const socket = currentSocket(sockets);
    const releaseA = live.watch({ room: 'feed' });
    expect(socket.sentOf('subscribe')).toHaveLength(0); // not connected yet

    socket.acceptConnection();
    expect(socket.sentOf('subscribe').map((m) => m.payload)).toEqual([{ room: 'feed' }]);
    socket.ackSubscriptions();
    const releaseB = live.watch({ room: 'feed' });
    expect(socket.sentOf('subscribe')).toHaveLength(1);

    releaseA();
    expect(socket.sentOf('unsubscribe')).toHaveLength(0);
    releaseB();
    expect(socket.sentOf('unsubscribe').map((m) => m.payload)).toEqual([{ room: 'feed' }]);
  });

  it('shows reconnecting while the transport is down, then live again', () => {
    signIn();
    const socket = currentSocket(sockets);
    socket.acceptConnection();
    socket.lose();
    expect(live.state()).toBe('reconnecting');
    socket.fire('connect_error', new Error('xhr poll error')); // socket.io-client retrying
    expect(live.state()).toBe('reconnecting');
    socket.acceptConnection(true);
    expect(live.state()).toBe('live');
  });

  it('after a reconnect without recovery, subscribes again and asks for a resync', () => {
    signIn();
    const socket = currentSocket(sockets);
    live.watch({ room: 'incident', incidentId: 'i-1' });
    socket.acceptConnection();
    socket.ackSubscriptions();
    resyncs.length = 0;

    socket.lose();
    socket.acceptConnection(false);

    expect(socket.sentOf('subscribe')).toHaveLength(2);
    expect(resyncs).toEqual([{ reason: 'reconnected' }]);
  });

  it('after a recovered reconnect, neither subscribes again nor resyncs', () => {
    signIn();
    const socket = currentSocket(sockets);
    live.watch({ room: 'feed' });
    socket.acceptConnection();
    socket.ackSubscriptions();
    resyncs.length = 0;

    socket.lose();
    socket.acceptConnection(true);

    expect(socket.sentOf('subscribe')).toHaveLength(1);
    expect(resyncs).toEqual([]);
  });

  it('passes on the server asking for a resync', () => {
    signIn();
    const socket = currentSocket(sockets);
    socket.acceptConnection();
    socket.fire('live.resync');
    expect(resyncs).toEqual([{ reason: 'server' }]);
  });

  it('renews the token before it expires, with a refreshed access token', () => {
    vi.useFakeTimers();
    signIn('token-1');
    const socket = currentSocket(sockets);
    socket.acceptConnection();
    socket.welcome({ expiresAt: new Date(Date.now() + 300_000).toISOString() });

    vi.advanceTimersByTime(239_000);
    backend.expectNone('/api/auth/refresh');
    vi.advanceTimersByTime(2000);
    backend.expectOne('/api/auth/refresh').flush(tokenResponse(session.user()!, 'token-2'));
    const [renewal] = socket.sentOf('auth.renew');
    expect(renewal?.payload).toEqual({ token: 'token-2' });
    expect(socket.handshakeToken()).toBe('token-2');
  });

  it('refreshes the token and connects again when the handshake finds it expired', () => {
    signIn('token-1');
    const socket = currentSocket(sockets);
    socket.refuse('AUTH_TOKEN_EXPIRED');
    expect(live.state()).toBe('connecting');
    backend.expectOne('/api/auth/refresh').flush(tokenResponse(session.user()!, 'token-2'));
    expect(socket.connectCalls).toBe(2);
    expect(socket.handshakeToken()).toBe('token-2');
  });

  it('signs out when the server ends access', async () => {
    signIn();
    const socket = currentSocket(sockets);
    socket.acceptConnection();
    const router = TestBed.inject(Router);
    socket.fire('access.ended', { code: 'AUTH_SESSION_REVOKED', detail: 'The session was revoked.' });
    socket.lose('io server disconnect');
    await new Promise((resolve) => setTimeout(resolve));
    TestBed.tick();
    expect(session.isSignedIn()).toBe(false);
    expect(live.state()).toBe('offline');
    expect(router.url.startsWith('/login')).toBe(true);
    expect(socket.connectCalls).toBe(1);
  });

  it('reloads the user when the role changed', () => {
    signIn();
    const socket = currentSocket(sockets);
    socket.acceptConnection();
    socket.fire('access.changed', { role: 'viewer', eventTypes: [] });
    backend.expectOne('/api/auth/me').flush(userView({ role: 'viewer' }));
    expect(session.role()).toBe('viewer');
  });

  it('exposes analytics.refreshed on its own stream', () => {
    signIn();
    const socket = currentSocket(sockets);
    socket.acceptConnection();
    const refreshed: string[] = [];
    live.analyticsRefreshed$.subscribe((e) => refreshed.push(e.refreshedAt));
    socket.batch({
      type: 'analytics.refreshed',
      v: 1,
      id: 'e-a',
      at: 'x',
      refreshedAt: '2026-12-04T10:00:00Z',
    });
    expect(refreshed).toEqual(['2026-12-04T10:00:00Z']);
    expect(received).toEqual([]);
  });
});
