import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../common/auth/roles';
import { UserView } from '../../users/dto/user.view';

export class TokenView {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl' })
  accessToken!: string;

  @ApiProperty({ example: 'Bearer', enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' })
  expiresIn!: number;

  @ApiPropertyOptional({
    example: '2f9a7c1e-5b3d-4e8f-a1c2-3d4e5f6a7b8c.kZ2h0LXNlY3JldC1ub3QtcmVhbA',
    description: 'Only with tokenDelivery "body"; single use: every refresh returns a new one',
  })
  refreshToken?: string;

  @ApiProperty({ example: 1209600, description: 'Seconds until the session ends unless refreshed' })
  refreshExpiresIn!: number;

  @ApiProperty({ type: UserView })
  user!: UserView;
}

export class ApiKeyIdentityView {
  @ApiProperty({ example: 'api_key', enum: ['api_key'] })
  kind!: 'api_key';

  @ApiProperty({ example: '9b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d' })
  id!: string;

  @ApiProperty({ example: 'Datadog monitor webhook' })
  name!: string;

  @ApiProperty({ example: ['events:ingest'], enum: API_KEY_SCOPES, isArray: true })
  scopes!: ApiKeyScope[];
}

export class SessionView {
  @ApiProperty({ example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d' })
  id!: string;

  @ApiProperty({ example: '2026-11-25T08:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-25T09:45:00.000Z' })
  lastUsedAt!: string;

  @ApiProperty({ example: '203.0.113.7', nullable: true, type: String })
  ip!: string | null;

  @ApiProperty({ example: 'Mozilla/5.0 (X11; Linux x86_64)', nullable: true, type: String })
  userAgent!: string | null;

  @ApiProperty({ example: 'password', enum: ['password', 'sso'] })
  method!: 'password' | 'sso';

  @ApiProperty({ example: true, description: 'The session this request belongs to' })
  current!: boolean;
}

export class SessionListView {
  @ApiProperty({ type: [SessionView] })
  items!: SessionView[];
}

export class SsoProviderView {
  @ApiProperty({ example: 'servicenow' })
  id!: string;

  @ApiProperty({ example: 'ServiceNow' })
  name!: string;

  @ApiProperty({ example: '/api/auth/sso/servicenow' })
  authorizeUrl!: string;
}

export class AuthProvidersView {
  @ApiProperty({ example: true })
  local!: boolean;

  @ApiProperty({ type: [SsoProviderView] })
  sso!: SsoProviderView[];
}
