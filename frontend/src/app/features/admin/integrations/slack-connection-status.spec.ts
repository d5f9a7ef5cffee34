import { ComponentFixture, TestBed } from '@angular/core/testing';

import { slackConnection } from '../../../../testing/slack-fixtures';
import { SlackConnectionView } from './slack-api';
import { SlackConnectionStatus } from './slack-connection-status';

describe('SlackConnectionStatus', () => {
  let fixture: ComponentFixture<SlackConnectionStatus>;

  function render(connection: SlackConnectionView): HTMLElement {
    fixture = TestBed.createComponent(SlackConnectionStatus);
    fixture.componentRef.setInput('connection', connection);
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  afterEach(() => {
    fixture.destroy();
  });

  it('shows the workspace, its bot and scopes, the default channel and an Add to Slack link', () => {
    const el = render(slackConnection());
    expect(el.querySelector('.workspace')!.textContent).toContain('Acme');
    expect(el.querySelector('.workspace')!.textContent).toContain('bot UBOT');
    expect(el.querySelector('.scopes')!.textContent).toContain('chat:write, commands');
    expect(el.querySelector('.default-channel')!.textContent).toContain('C0INCIDENTS');
    const install = el.querySelector<HTMLAnchorElement>('a.install')!;
    expect(install.getAttribute('href')).toBe('/api/slack/install');
    expect(install.textContent).toContain('Add to another Slack workspace');
    expect(el.querySelector('.no-errors')!.textContent).toContain('No errors from Slack lately.');
  });

  it('says when nothing is connected or signed, and lists recent errors', () => {
    const el = render(
      slackConnection({
        signingSecretConfigured: false,
        oauthConfigured: false,
        workspaces: [],
        defaultChannel: null,
        recentErrors: [
          { at: '2026-12-04T09:00:00.000Z', method: 'chat.postMessage', error: 'channel_not_found' },
        ],
      }),
    );
    expect(el.querySelector('.not-connected')!.textContent).toContain('Not connected');
    expect(el.querySelector('[data-ok="false"]')!.textContent).toContain('No signing secret');
    expect(el.querySelector('a.install')).toBeNull();
    expect(el.textContent).toContain('SLACK_CLIENT_ID');
    expect(el.querySelector('.errors')!.textContent).toContain('chat.postMessage');
    expect(el.querySelector('.errors')!.textContent).toContain('channel_not_found');
  });

  it('offers Add to Slack when OAuth is configured and no workspace is installed yet', () => {
    const el = render(slackConnection({ workspaces: [] }));
    expect(el.querySelector('a.install')!.textContent.trim()).toBe('Add to Slack');
  });
});
