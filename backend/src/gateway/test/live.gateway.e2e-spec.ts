import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { signInAsAdmin } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { ProbeModule } from '../../../test/probe.module';
import { waitFor } from '../../../test/support/wait-for';
import type { PublishedEvent } from '../../deliveries/event-catalogue';
import { Outbox } from '../../deliveries/outbox';
import type { IncidentView } from '../../incidents/dto/incident.view';
import { INCIDENT_EVENTS, type IncidentEventPayloads } from '../../incidents/incident.events';
import {
  LIVE_BATCH,
  type LiveBatch,
  type LiveEvent,
  type LiveRefusal,
  type LiveWelcome,
} from '../live-protocol';
import { newIncident } from './live-test-client';

function connect(url: string, options: Parameters<typeof io>[1] = {}): Socket {
  return io(`${url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
}

describe('Socket.IO /live on the API port', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ env: { CORS_ORIGINS: 'https://console.example.com' } })));
  afterAll(() => t.close());

  it('welcomes a signed-in client over WebSocket with the server time', async () => {
    const { accessToken } = await signInAsAdmin(t);
    const socket = connect(t.baseUrl, { auth: { token: accessToken } });
    try {
      const welcome = await new Promise<LiveWelcome>((resolve, reject) => {
        socket.once('welcome', resolve);
        socket.once('connect_error', reject);
      });
      expect(Date.parse(welcome.serverTime)).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      socket.close();
    }
  });

  it.each([
    ['no token', undefined, 'AUTH_UNAUTHENTICATED'],
    ['a forged token', 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl', 'AUTH_TOKEN_INVALID'],
  ])('refuses a handshake with %s', async (_what, token, code) => {
    const socket = connect(t.baseUrl, token === undefined ? {} : { auth: { token } });
    try {
      const error = await new Promise<Error & { data?: LiveRefusal }>((resolve, reject) => {
        socket.once('connect_error', resolve);
        socket.once('welcome', () => reject(new Error('welcomed without a valid token')));
      });
      expect(error.data).toMatchObject({ code });
    } finally {
      socket.close();
    }
  });

  it('pushes a committed incident event to a feed subscriber as live.batch (NOTIFY, no ledger row)', async () => {
    const admin = await signInAsAdmin(t);
    const socket = connect(t.baseUrl, { auth: { token: admin.accessToken } });
    try {
      const welcome = await new Promise<LiveWelcome>((resolve, reject) => {
        socket.once('welcome', resolve);
        socket.once('connect_error', reject);
      });
      expect(welcome).toMatchObject({ protocol: 2, batchWindowMs: 50 });
      expect(await socket.timeout(10_000).emitWithAck('subscribe', { room: 'feed' })).toEqual({ ok: true });
      const incidentId = await newIncident(t, admin);
      const incident = (await t.http.get(`/api/incidents/${incidentId}`).set('authorization', admin.bearer))
        .body as IncidentView;
      const changes = { state: { from: 'new' as const, to: 'in_progress' as const } };
      const aliceId = randomUUID();
      const event: PublishedEvent<IncidentEventPayloads> = {
        type: 'incident.state_changed',
        aggregateType: 'incident',
        aggregateId: incidentId,
        aggregateVersion: incident.version,
        payloads: { 1: { incident, changes } },
        actor: { type: 'user', id: aliceId, label: 'alice@example.com' },
      };
      const events: LiveEvent[] = [];
      socket.on(LIVE_BATCH, (b: LiveBatch) => events.push(...b.events));
      const eventId = await t.dataSource.transaction((m) =>
        t.app.get(Outbox).publish(m, INCIDENT_EVENTS, event),
      );
      await waitFor(() => events.some((e) => e.id === eventId), 10_000, 'the event on the socket');
      expect(events.find((e) => e.id === eventId)).toEqual({
        type: 'incident.updated',
        v: 1,
        id: eventId,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
        incidentId,
        actor: { type: 'user', id: aliceId, label: 'alice@example.com' },
        version: incident.version,
        changed: ['state'],
        incident: { ...incident, deliveriesBehind: expect.any(Number) as unknown },
      });
      const rows = await t.dataSource.query<unknown[]>(
        `SELECT 1 FROM deliveries WHERE event_id = $1 AND consumer = 'live-feed'`,
        [eventId],
      );
      expect(rows).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it('applies the CORS allow-list to the polling handshake', async () => {
    const handshake = (origin: string) =>
      t.http.get('/socket.io/?EIO=4&transport=polling').set('origin', origin);
    const allowed = await handshake('https://console.example.com').expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example.com');
    const other = await handshake('https://evil.example.net');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('/live compression (LIVE_COMPRESSION)', () => {
  /** The permessage-deflate extension the server agreed to, as the client's WebSocket saw it. */
  async function negotiated(t: TestApp): Promise<string> {
    const socket = connect(t.baseUrl); // socket.io-client offers permessage-deflate
    try {
      await new Promise<void>((resolve, reject) => {
        socket.io.engine.once('open', () => resolve());
        socket.once('connect_error', reject);
      });
      const transport = socket.io.engine.transport as unknown as { ws?: { extensions?: string } };
      return transport.ws?.extensions ?? '';
    } finally {
      socket.close();
    }
  }

  it('is off by default: frames are never compressed per socket', async () => {
    const t = await startTestApp();
    try {
      expect(await negotiated(t)).toBe('');
    } finally {
      await t.close();
    }
  });

  it('when on, agrees to permessage-deflate with a client that offers it', async () => {
    const t = await startTestApp({ env: { LIVE_COMPRESSION: 'on' } });
    try {
      expect(await negotiated(t)).toContain('permessage-deflate');
    } finally {
      await t.close();
    }
  });
});

describe('Socket.IO handler errors', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ imports: [ProbeModule] })));
  afterAll(() => t.close());

  async function exceptionFor(event: string): Promise<unknown> {
    const socket = io(`${t.baseUrl}/probe`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const answer = new Promise((resolve) => socket.once('exception', resolve));
      socket.emit(event, {});
      return await answer;
    } finally {
      socket.close();
    }
  }

  it('sends a WsException to the client as an exception event', async () => {
    expect(await exceptionFor('reject')).toMatchObject({ status: 'error', message: 'Rejected by the probe' });
  });

  it('hides what an unexpected error says', async () => {
    const answer = await exceptionFor('crash');
    expect(answer).toMatchObject({ status: 'error', message: 'Internal server error' });
    expect(JSON.stringify(answer)).not.toContain('api_key');
  });
});
