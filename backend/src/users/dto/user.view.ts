import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../common/auth/roles';
import type { User, UserStatus } from '../user.entity';

export class UserView {
  @ApiProperty({ example: 'user', enum: ['user'] })
  kind!: 'user';

  @ApiProperty({ example: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71' })
  id!: string;

  @ApiProperty({ example: 'alice@example.com' })
  email!: string;

  @ApiProperty({ example: 'Alice Moreau' })
  name!: string;

  @ApiProperty({ example: 'responder', enum: ROLES })
  role!: Role;

  @ApiProperty({ example: 'active', enum: ['active', 'disabled'] })
  status!: UserStatus;

  @ApiProperty({
    example: false,
    description: 'Signed in with a temporary password that must be changed first',
  })
  mustChangePassword!: boolean;

  @ApiProperty({ example: '2026-11-25T08:30:00.000Z', nullable: true, type: String })
  lastLoginAt!: string | null;

  @ApiProperty({ example: '2026-11-01T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-20T16:45:00.000Z' })
  updatedAt!: string;

  @ApiProperty({ example: ['servicenow'], description: 'SSO providers linked to this account' })
  ssoProviders!: string[];

  static of(user: User, ssoProviders: readonly string[] = []): UserView {
    return {
      kind: 'user',
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      status: user.status,
      mustChangePassword: user.mustChangePassword,
      lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
      ssoProviders: [...ssoProviders],
    };
  }
}

export class UserPageView {
  @ApiProperty({ type: [UserView] })
  items!: UserView[];

  @ApiProperty({ example: 42 })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 25 })
  pageSize!: number;
}

export class CreatedUserView {
  @ApiProperty({ type: UserView })
  user!: UserView;

  @ApiProperty({
    example: 'Vx7-kQ2m-Tr9p-Hc4w',
    required: false,
    description: 'Only when no password was given: shown once, must be changed at first sign-in',
  })
  temporaryPassword?: string;
}

export class TemporaryPasswordView {
  @ApiProperty({ example: 'Vx7-kQ2m-Tr9p-Hc4w', description: 'Shown once; must be changed at next sign-in' })
  temporaryPassword!: string;
}
