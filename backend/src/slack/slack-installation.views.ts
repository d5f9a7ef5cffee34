import { ApiProperty } from '@nestjs/swagger';

export class SlackWorkspaceView {
  @ApiProperty({ example: 'T0123456789' })
  teamId!: string;

  @ApiProperty({ example: 'Acme Ops', nullable: true, type: String })
  teamName!: string | null;

  @ApiProperty({
    example: 'oauth',
    enum: ['oauth', 'environment'],
    description: 'oauth: installed from the console (can be uninstalled here); environment: SLACK_BOT_TOKEN',
  })
  source!: 'oauth' | 'environment';

  @ApiProperty({ example: 'E0123456789', nullable: true, type: String })
  enterpriseId!: string | null;

  @ApiProperty({ example: 'A0123456789', nullable: true, type: String })
  appId!: string | null;

  @ApiProperty({ example: 'U0123456789', nullable: true, type: String })
  botUserId!: string | null;

  @ApiProperty({
    example: ['chat:write', 'commands'],
    type: [String],
    description: 'Empty when unknown (environment)',
  })
  scopes!: string[];

  @ApiProperty({ example: true, description: 'The bot token rotates (refreshed when it expires within 2 h)' })
  tokenRotation!: boolean;

  @ApiProperty({ example: '2026-12-04T21:00:00.000Z', nullable: true, type: String })
  tokenExpiresAt!: string | null;

  @ApiProperty({ example: '2026-12-04T09:00:00.000Z', nullable: true, type: String })
  installedAt!: string | null;

  @ApiProperty({ example: 'admin@example.com', nullable: true, type: String })
  installedBy!: string | null;

  @ApiProperty({ example: true, description: 'Cards go to this workspace when no team is named' })
  isDefault!: boolean;
}

export class SlackMethodStatsView {
  @ApiProperty({ example: 'chat.postMessage' })
  method!: string;

  @ApiProperty({ example: 120, description: 'Web API calls in the last 24 hours' })
  count!: number;

  @ApiProperty({ example: 2 })
  errors!: number;

  @ApiProperty({ example: 90, nullable: true, type: Number })
  p50Ms!: number | null;

  @ApiProperty({ example: 240, nullable: true, type: Number })
  p95Ms!: number | null;
}

export class SlackRecentErrorView {
  @ApiProperty({ example: '2026-12-04T09:12:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'T0123456789', nullable: true, type: String })
  teamId!: string | null;

  @ApiProperty({ example: 'chat.postMessage' })
  method!: string;

  @ApiProperty({
    example: 'channel_not_found',
    description: "Slack's error code, http_<status>, timeout or request_failed",
  })
  error!: string;
}

export class SlackCallsView {
  @ApiProperty({ example: 24 })
  windowHours!: number;

  @ApiProperty({ type: [SlackMethodStatsView] })
  byMethod!: SlackMethodStatsView[];

  @ApiProperty({ type: [SlackRecentErrorView], description: 'Newest first, at most 20' })
  recentErrors!: SlackRecentErrorView[];
}

export class SlackConnectionView {
  @ApiProperty({
    example: true,
    description: 'At least one workspace can be reached (SLACK_BOT_TOKEN or an install)',
  })
  connected!: boolean;

  @ApiProperty({
    example: true,
    description: 'SLACK_SIGNING_SECRET is set: events, buttons and commands are accepted',
  })
  signingSecret!: boolean;

  @ApiProperty({
    example: true,
    description: 'SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set: installing from the console works',
  })
  oauthClient!: boolean;

  @ApiProperty({ example: false, description: 'SLACK_BOT_TOKEN is set' })
  environmentToken!: boolean;

  @ApiProperty({ example: '/api/slack/install', nullable: true, type: String })
  installUrl!: string | null;

  @ApiProperty({ example: 'https://nexecute.example.com/api/slack/oauth/callback' })
  redirectUrl!: string;

  @ApiProperty({ example: 'C0123456789', nullable: true, type: String })
  defaultChannel!: string | null;

  @ApiProperty({ example: 'https://slack.com/api/' })
  apiUrl!: string;

  @ApiProperty({ type: [SlackWorkspaceView] })
  workspaces!: SlackWorkspaceView[];

  @ApiProperty({ type: SlackCallsView })
  calls!: SlackCallsView;
}

export class SlackInstallUrlView {
  @ApiProperty({ example: 'https://slack.com/oauth/v2/authorize?scope=chat%3Awrite&state=…&client_id=…' })
  url!: string;

  @ApiProperty({
    example: '2026-12-04T09:10:00.000Z',
    description: 'The state in it is single use and expires then',
  })
  expiresAt!: string;
}
