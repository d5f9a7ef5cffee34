import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';

import { slackConnection } from '../../../../testing/slack-fixtures';
import { SlackConnectionView } from './slack-api';
import { click, problemAnswer, settle } from '../../../../testing/incident-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { navigation, SlackConnectionStatus } from './slack-connection-status';

describe('SlackConnectionStatus', () => {
  let fixture: ComponentFixture<SlackConnectionStatus>;
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([problemInterceptor])), provideHttpClientTesting()],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  function render(connection: SlackConnectionView): HTMLElement {
    fixture = TestBed.createComponent(SlackConnectionStatus);
    fixture.componentRef.setInput('connection', connection);
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  afterEach(() => {
    fixture.destroy();
    backend.verify();
    vi.restoreAllMocks();
  });

  it('Add to Slack asks for the consent URL with the admin’s token, then sends the browser there', async () => {
    const assign = vi.spyOn(navigation, 'assign').mockImplementation(() => undefined);
    const el = render(slackConnection({ workspaces: [] }));
    click(el.querySelector('a.install'));
    const request = backend.expectOne('/api/slack/install');
    expect(request.request.headers.get('Accept')).toBe('application/json');
    request.flush({
      url: 'https://slack.com/oauth/v2/authorize?state=abc',
      expiresAt: '2026-12-04T09:10:00.000Z',
    });
    await settle();
    expect(assign).toHaveBeenCalledWith('https://slack.com/oauth/v2/authorize?state=abc');

    click(el.querySelector('a.install'));
    backend
      .expectOne('/api/slack/install')
      .flush(...problemAnswer(503, 'SLACK_NOT_CONFIGURED', 'No OAuth client.'));
    await settle();
    fixture.detectChanges();
    expect(el.querySelector('nx-problem-notice')!.textContent).toContain('No OAuth client.');
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
        connected: false,
        signingSecret: false,
        oauthClient: false,
        installUrl: null,
        workspaces: [],
        defaultChannel: null,
        calls: {
          windowHours: 24,
          byMethod: [],
          recentErrors: [
            {
              at: '2026-12-04T09:00:00.000Z',
              teamId: null,
              method: 'chat.postMessage',
              error: 'channel_not_found',
            },
          ],
        },
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
