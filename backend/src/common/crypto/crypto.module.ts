import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { SecretBox } from './secret-box';
import { ServerSecrets } from './server-secrets';

/** Secrets at rest: every module that stores a provider token encrypts it with this SecretBox. */
@Global()
@Module({
  providers: [
    {
      provide: ServerSecrets,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => ServerSecrets.resolve(c.auth),
    },
    { provide: SecretBox, inject: [ServerSecrets], useFactory: (s: ServerSecrets) => s.secretBox },
  ],
  exports: [ServerSecrets, SecretBox],
})
export class CryptoModule {}
