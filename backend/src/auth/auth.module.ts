import { Module } from '@nestjs/common';

/** Users, roles, sessions, SSO and API keys. */
@Module({})
export class AuthModule {}
