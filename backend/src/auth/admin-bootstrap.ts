import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { UserCredentials } from '../users/user-credentials.service';

/**
 * First run: with no admin in the database, create one so somebody can sign in. Runs after
 * module init, i.e. after migrations.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly credentials: UserCredentials,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { email, password } = this.config.auth.bootstrapAdmin;
    const result = await this.credentials.bootstrapAdmin(email, password);
    if (!result.created) return;
    if (result.generatedPassword) {
      // Printed this once, deliberately: it is the only way in, and it must be changed at first sign-in.
      this.logger.warn(
        `Created the first admin ${email} with the one-time password ${result.generatedPassword} ` +
          '(set ADMIN_PASSWORD to choose it); it must be changed at first sign-in',
      );
    } else {
      this.logger.log(`Created the first admin ${email} from ADMIN_EMAIL/ADMIN_PASSWORD`);
    }
  }
}
