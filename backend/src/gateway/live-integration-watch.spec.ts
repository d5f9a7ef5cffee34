import { LiveIntegrationWatch, SLACK_QUIET_MS, type IntegrationState } from './live-integration-watch';

describe('LiveIntegrationWatch', () => {
  function watch(): { w: LiveIntegrationWatch; reported: IntegrationState[]; clock: { now: number } } {
    const clock = { now: 0 };
    const w = new LiveIntegrationWatch(() => clock.now);
    const reported: IntegrationState[] = [];
    w.onChange((s) => reported.push(s));
    return { w, reported, clock };
  }

  it('reports ServiceNow down when its reconciliation fails and ok when it succeeds again', () => {
    const { w, reported } = watch();
    w.signal({ integration: 'servicenow', ok: false, error: 'timeout' });
    w.signal({ integration: 'servicenow', ok: true, error: null });
    expect(reported).toEqual([
      { integration: 'servicenow', status: 'down', detail: 'timeout' },
      { integration: 'servicenow', status: 'ok', detail: null },
    ]);
  });

  it('reports Slack degraded on a failed call (down on an auth error), once, and ok after a quiet spell', () => {
    const { w, reported, clock } = watch();
    w.signal({ integration: 'slack', ok: false, error: 'ratelimited' });
    w.signal({ integration: 'slack', ok: false, error: 'ratelimited' });
    clock.now = SLACK_QUIET_MS / 2;
    w.checkQuiet();
    w.signal({ integration: 'slack', ok: false, error: 'token_revoked' });
    clock.now += SLACK_QUIET_MS;
    w.checkQuiet();
    expect(reported.map((s) => s.status)).toEqual(['degraded', 'down', 'ok']);
  });
});
