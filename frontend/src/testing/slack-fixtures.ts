// Builders for the Slack section's answers (the connection as slack.md specifies it, the routing rules' API).
import {
  SlackConnectionView,
  SlackRoutingRuleListView,
  SlackRoutingRuleView,
} from '../app/features/admin/integrations/slack-api';

export function slackConnection(overrides: Partial<SlackConnectionView> = {}): SlackConnectionView {
  return {
    connected: true,
    signingSecret: true,
    oauthClient: true,
    environmentToken: false,
    installUrl: '/api/slack/install',
    redirectUrl: 'https://console.example.test/api/slack/oauth/callback',
    defaultChannel: 'C0INCIDENTS',
    apiUrl: 'https://slack.com/api/',
    workspaces: [
      {
        teamId: 'T0ACME',
        teamName: 'Acme',
        source: 'oauth',
        enterpriseId: null,
        appId: 'A0APP',
        botUserId: 'UBOT',
        scopes: ['chat:write', 'commands'],
        tokenRotation: true,
        tokenExpiresAt: null,
        installedAt: '2026-12-04T08:00:00.000Z',
        installedBy: 'admin@example.com',
        isDefault: true,
      },
    ],
    calls: { windowHours: 24, byMethod: [], recentErrors: [] },
    ...overrides,
  };
}

export function slackRule(overrides: Partial<SlackRoutingRuleView> = {}): SlackRoutingRuleView {
  return {
    id: '3c9a7b1e-2d4f-4e6a-8b0c-1d2e3f4a5b6c',
    name: 'Major incidents',
    channelId: 'C0MAJOR',
    priorities: [1],
    categories: [],
    sources: [],
    internal: true,
    threadComments: true,
    threadWorkNotes: true,
    threadStateChanges: true,
    enabled: true,
    position: 0,
    createdAt: '2026-12-04T09:00:00.000Z',
    updatedAt: '2026-12-04T09:00:00.000Z',
    ...overrides,
  };
}

export function slackRules(
  items: SlackRoutingRuleView[] = [slackRule()],
  defaultChannel: string | null = 'C0INCIDENTS',
): SlackRoutingRuleListView {
  return { items, defaultChannel };
}
