import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../common/auth/roles';
import type { ApiKey } from '../api-key.entity';

export class ApiKeyView {
  @ApiProperty({ example: '9b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d' })
  id!: string;

  @ApiProperty({ example: 'Datadog monitor webhook' })
  name!: string;

  @ApiProperty({ example: 'nxk_3fa94c0e1b27', description: 'The public start of the key, to recognise it' })
  prefix!: string;

  @ApiProperty({ example: ['events:ingest'], enum: API_KEY_SCOPES, isArray: true })
  scopes!: ApiKeyScope[];

  @ApiProperty({ example: '2026-11-25T09:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71', nullable: true, type: String })
  createdBy!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  expiresAt!: string | null;

  @ApiProperty({ example: '2026-11-25T10:12:00.000Z', nullable: true, type: String })
  lastUsedAt!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  revokedAt!: string | null;

  static of(k: ApiKey): ApiKeyView {
    return {
      id: k.id,
      name: k.name,
      prefix: `nxk_${k.prefix}`,
      scopes: k.scopes,
      createdAt: k.createdAt.toISOString(),
      createdBy: k.createdBy,
      expiresAt: k.expiresAt?.toISOString() ?? null,
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    };
  }
}

export class ApiKeyListView {
  @ApiProperty({ type: [ApiKeyView] })
  items!: ApiKeyView[];
}

export class CreatedApiKeyView {
  @ApiProperty({ type: ApiKeyView })
  apiKey!: ApiKeyView;

  @ApiProperty({
    example: 'nxk_3fa94c0e1b27_Q2hhbmdlIG1lIGluIHByb2R1Y3Rpb24gcGxlYXNlISEhIQ',
    description: 'Shown only once',
  })
  key!: string;
}
