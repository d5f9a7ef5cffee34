import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import type { SsoProviderConfig } from '../../config/app-config';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { SsoStateStore } from './sso-state-store';

/** Who the provider says signed in, plus its tokens, before we match them to an account. */
export interface SsoSignIn {
  readonly subject: string;
  readonly email: string;
  readonly name: string;
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly expiresInSeconds: number | null;
}

export class SsoProfileError extends Error {}

/** `result.0.email` → value; the mapping is configuration so any OAuth 2.0 IdP fits. */
export function valueAt(document: unknown, path: string): unknown {
  return path
    .split('.')
    .filter(Boolean)
    .reduce<unknown>(
      (node, key) =>
        node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
      document,
    );
}

export function profileFrom(
  document: unknown,
  paths: SsoProviderConfig['profile'],
): Omit<SsoSignIn, 'accessToken' | 'refreshToken' | 'expiresInSeconds'> {
  const text = (path: string): string => {
    const value = valueAt(document, path);
    return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
  };
  const subject = text(paths.subject);
  const email = text(paths.email).toLowerCase();
  if (!subject) throw new SsoProfileError(`The provider's profile has no subject at ${paths.subject}`);
  if (!/^[^\s@]+@[^\s@]+$/.test(email))
    throw new SsoProfileError(`The provider's profile has no email at ${paths.email}`);
  return { subject, email, name: text(paths.name) };
}

/**
 * "Sign in with ServiceNow" (or any OAuth 2.0 provider): passport-oauth2's authorization-code
 * flow with PKCE S256 and a database-backed state store. The profile comes from a user-info
 * URL (for ServiceNow, the Table API's sys_user record of the token's user).
 */
@Injectable()
export class SsoStrategy extends PassportStrategy(OAuth2Strategy, 'sso', 5) {
  private readonly provider: SsoProviderConfig;

  constructor(@Inject(APP_CONFIG) config: AppConfig, stateStore: SsoStateStore) {
    const provider = config.auth.sso;
    if (!provider) throw new Error('SsoStrategy needs SSO_PROVIDER to be configured');
    super({
      authorizationURL: provider.authorizationUrl,
      tokenURL: provider.tokenUrl,
      clientID: provider.clientId,
      clientSecret: provider.clientSecret,
      callbackURL: `${config.publicUrl}/api/auth/sso/${provider.id}/callback`,
      scope: provider.scope || undefined,
      pkce: provider.pkce,
      // passport-oauth2 calls store/verify by arity (5 and 4 with PKCE); its typings list only the short forms.
      store: stateStore as never,
      // ServiceNow (like most providers) only takes the token in the header, not ?access_token=.
      customHeaders: { Accept: 'application/json' },
    });
    this.provider = provider;
    this._oauth2.useAuthorizationHeaderforGET(true);
  }

  override userProfile(accessToken: string, done: (err?: unknown, profile?: unknown) => void): void {
    this._oauth2.get(this.provider.userInfoUrl, accessToken, (err, body) => {
      if (err)
        return done(
          new SsoProfileError(
            `User-info request failed (${(err as { statusCode?: number }).statusCode ?? 'network'})`,
          ),
        );
      try {
        done(null, profileFrom(JSON.parse(String(body)), this.provider.profile));
      } catch (e) {
        done(e instanceof SsoProfileError ? e : new SsoProfileError('User-info response is not JSON'));
      }
    });
  }

  validate(
    accessToken: string,
    refreshToken: string | undefined,
    params: { expires_in?: unknown },
    profile: Omit<SsoSignIn, 'accessToken' | 'refreshToken' | 'expiresInSeconds'>,
  ): SsoSignIn {
    const expires = Number(params.expires_in);
    return {
      ...profile,
      accessToken,
      refreshToken: refreshToken || null,
      expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : null,
    };
  }
}
