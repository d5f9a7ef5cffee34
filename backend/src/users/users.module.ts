import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { FederatedIdentity } from './federated-identity.entity';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { PeopleController } from './people.controller';
import { UserAccessChanges } from './user-access-changes';
import { UserCredentials } from './user-credentials.service';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/**
 * People, roles and credentials. Others see the two services, their read models (Person,
 * SignInAccount, PersonSql) and the HTTP views under dto/, never the entities: UsersService is
 * the people directory (Incidents, Auth), UserCredentials checks who signs in (Auth alone),
 * UserAccessChanges says at once when an admin changed what someone may do (Auth's cache).
 */
@Module({
  imports: [TypeOrmModule.forFeature([User, FederatedIdentity]), AuditModule],
  controllers: [UsersController, PeopleController],
  providers: [
    UsersService,
    UserCredentials,
    UserAccessChanges,
    {
      provide: PasswordHasher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new PasswordHasher(config.auth.password.hashCost),
    },
    {
      provide: PasswordPolicy,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new PasswordPolicy({ minLength: config.auth.password.minLength }),
    },
  ],
  exports: [UsersService, UserCredentials, UserAccessChanges],
})
export class UsersModule {}
