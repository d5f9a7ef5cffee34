import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { eventually } from '../../../test/support/wait-for';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { LIVE_BATCH } from '../live-protocol';
import { LiveNamespaceProbe, LiveNamespaceProbeModule } from './live-namespace-probe';
import { LiveTestClient } from './live-test-client';

const MAX_QUEUED_BYTES = 64 * 1024;
const FRAME_BYTES = 16 * 1024;

describe('/live: a client that reads too slowly', () => {
  let t: TestApp;
  let admin: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({
      imports: [LiveNamespaceProbeModule],
      env: { LIVE_MAX_QUEUED_BYTES: String(MAX_QUEUED_BYTES) },
    });
    admin = await signInAsAdmin(t);
  });
  afterAll(() => t.close());

  it('is disconnected once its queue passes LIVE_MAX_QUEUED_BYTES; a client that keeps up is not', async () => {
    const slow = await LiveTestClient.open(t, admin.accessToken);
    const kept = await LiveTestClient.open(t, admin.accessToken);
    const namespace = t.app.get(LiveNamespaceProbe).namespace;
    const slowId = slow.socket.id!;
    // The slow client stops reading its TCP socket: what the server sends piles up, first in the
    // kernel's buffers, then in the server's.
    const transport = slow.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } };
    transport.ws._socket.pause();

    const filler = 'x'.repeat(FRAME_BYTES);
    let sent = 0;
    await eventually(
      async () => {
        if (!namespace.sockets.has(slowId)) return true;
        for (let i = 0; i < 50; i++, sent++) {
          const frame = {
            events: [
              { type: 'analytics.refreshed', v: 1, id: `flood-${sent}`, at: filler, refreshedAt: filler },
            ],
          };
          namespace.to('role:admin').emit(LIVE_BATCH, frame);
        }
        await new Promise((r) => setTimeout(r, 20));
        return undefined;
      },
      30_000,
      'the slow client disconnected',
    );
    expect(
      t.logs().some((l) => l.level === 'warn' && l.msg?.includes(`Live client ${slowId} reads too slowly`)),
    ).toBe(true);

    // The other client read everything sent and is still connected.
    await eventually(
      () => (kept.events.length >= sent ? true : undefined),
      30_000,
      'every frame on the kept client',
    );
    expect(kept.socket.connected).toBe(true);
    expect(namespace.sockets.has(kept.socket.id!)).toBe(true);
    slow.close();
    kept.close();
  });
});
