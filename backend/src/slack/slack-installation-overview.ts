import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SlackCalls } from './slack-calls';
import { SlackInstallationFlow } from './slack-installation-flow';
import type { SlackConnectionView, SlackWorkspaceView } from './slack-installation.views';
import { SlackInstallations } from './slack-installations';
import { SlackWorkspaces } from './slack-workspaces';

const WINDOW_HOURS = 24;

/** What the Integrations page shows of Slack: what is configured, the workspaces, the calls. Never a token. */
@Injectable()
export class SlackInstallationOverview {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly installations: SlackInstallations,
    private readonly workspaces: SlackWorkspaces,
    private readonly flow: SlackInstallationFlow,
    private readonly calls: SlackCalls,
  ) {}

  async view(): Promise<SlackConnectionView> {
    const slack = this.config.slack;
    const [installed, envTeam, defaultTeam, byMethod, recentErrors] = await Promise.all([
      this.installations.all(),
      this.workspaces.envTeamId(),
      this.workspaces.defaultTeamId(),
      this.calls.byMethod(WINDOW_HOURS),
      this.calls.recentErrors(20),
    ]);
    const workspaces: SlackWorkspaceView[] = installed.map((i) => ({
      teamId: i.teamId,
      teamName: i.teamName,
      source: 'oauth',
      enterpriseId: i.enterpriseId,
      appId: i.appId,
      botUserId: i.botUserId,
      scopes: [...i.scopes],
      tokenRotation: i.refreshToken !== null,
      tokenExpiresAt: i.tokenExpiresAt?.toISOString() ?? null,
      installedAt: i.installedAt.toISOString(),
      installedBy: i.installedByLabel,
      isDefault: i.teamId === defaultTeam,
    }));
    if (slack.botToken !== null && !installed.some((i) => i.teamId === envTeam)) {
      workspaces.unshift({
        teamId: envTeam ?? 'unknown',
        teamName: null,
        source: 'environment',
        enterpriseId: null,
        appId: null,
        botUserId: null,
        scopes: [],
        tokenRotation: false,
        tokenExpiresAt: null,
        installedAt: null,
        installedBy: null,
        isDefault: true,
      });
    }
    return {
      connected: workspaces.length > 0,
      signingSecret: slack.signingSecret !== null,
      oauthClient: this.flow.installConfigured,
      environmentToken: slack.botToken !== null,
      installUrl: this.flow.installConfigured ? '/api/slack/install' : null,
      redirectUrl: this.flow.redirectUri,
      defaultChannel: slack.defaultChannel,
      apiUrl: slack.apiUrl,
      workspaces,
      calls: { windowHours: WINDOW_HOURS, byMethod, recentErrors },
    };
  }
}
