import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { PreparedStatements } from '../common/database/prepared-statements';
import { UnitOfWork } from '../common/database/unit-of-work';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { FederatedIdentity } from './federated-identity.entity';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { PeopleController } from './people.controller';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** People, roles and credentials. Auth imports it; others see only UsersService. */
@Module({
  imports: [TypeOrmModule.forFeature([User, FederatedIdentity]), AuditModule],
  controllers: [UsersController, PeopleController],
  providers: [
    UsersService,
    UnitOfWork,
    PreparedStatements,
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
  exports: [UsersService],
})
export class UsersModule {}
