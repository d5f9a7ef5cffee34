import { Logger } from '@nestjs/common';
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import { loadOrCreateLocalSecrets } from './local-secrets-file';
import { SecretBox } from './secret-box';

/** The process's signing secret and encryption keyring, from the environment or the local file. */
export class ServerSecrets {
  /**
   * The signing secret as a KeyObject: handed a string, jsonwebtoken first tries to parse it as a
   * PEM key on every sign and verify, which cost 15% of an authenticated request's CPU (bench/auth).
   */
  readonly jwtKey: KeyObject;

  private constructor(
    readonly jwtSecret: string,
    readonly secretBox: SecretBox,
  ) {
    this.jwtKey = createSecretKey(Buffer.from(jwtSecret, 'utf8'));
  }

  /**
   * Production must configure both (the config check refuses to start otherwise). A developer's
   * `npm start` gets them generated once into LOCAL_SECRETS_FILE, so restarts keep sessions and
   * encrypted tokens readable.
   */
  static resolve(auth: AppConfig['auth'], logger = new Logger('ServerSecrets')): ServerSecrets {
    let { jwtSecret, encryptionKeys } = auth;
    if (!jwtSecret || !encryptionKeys) {
      const local = loadOrCreateLocalSecrets(auth.localSecretsFile);
      logger.warn(
        `${local.created ? 'Generated' : 'Using'} development secrets in ${auth.localSecretsFile}; ` +
          'set JWT_SECRET and ENCRYPTION_KEYS in production',
      );
      jwtSecret ??= local.jwtSecret;
      encryptionKeys ??= local.encryptionKeys;
    }
    return new ServerSecrets(jwtSecret, SecretBox.parseKeyring(encryptionKeys));
  }
}
