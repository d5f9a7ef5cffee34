import type { UserPrincipal } from '../common/auth/principal';
import { liveAccessOf } from './live-access';
import { LiveEventReaders } from './live-event-readers';

const principal = (overrides: Partial<UserPrincipal> = {}): UserPrincipal => ({
  kind: 'user',
  id: 'u1',
  email: 'a@example.com',
  name: 'A',
  role: 'viewer',
  sessionId: 's1',
  mustChangePassword: false,
  ...overrides,
});

describe('liveAccessOf', () => {
  const readers = new LiveEventReaders()
    .allow(['incident.created'], ['viewer', 'admin'])
    .allow(['audit.x'], ['admin']);

  it('grants a role the event types it reads', () => {
    expect(liveAccessOf(principal({ role: 'admin' }), readers)).toEqual({
      granted: true,
      role: 'admin',
      eventTypes: ['incident.created', 'audit.x'],
    });
  });

  it('refuses a role that may read nothing on the feed', () => {
    expect(liveAccessOf(principal({ role: 'responder' }), readers)).toEqual({
      granted: false,
      problem: { code: 'AUTH_FORBIDDEN', detail: expect.any(String) as unknown },
    });
  });

  it('refuses a user who must change a temporary password, as REST does', () => {
    expect(liveAccessOf(principal({ role: 'admin', mustChangePassword: true }), readers)).toEqual({
      granted: false,
      problem: { code: 'AUTH_PASSWORD_CHANGE_REQUIRED', detail: expect.any(String) as unknown },
    });
  });
});
