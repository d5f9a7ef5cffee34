import { Inject, Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { AuditLog } from '../../audit/audit-log.service';
import type { RequestActor } from '../../common/auth/principal';
import { SecretBox } from '../../common/crypto/secret-box';
import { APP_CONFIG, type AppConfig, type SsoProviderConfig } from '../../config/app-config';
import { UserCredentials } from '../../users/user-credentials.service';
import { AuthError, AuthErrorCode } from '../auth.errors';
import { AuthService, type IssuedTokens } from '../auth.service';
import { runStrategy } from '../passport-flow';
import { SsoStateStore } from './sso-state-store';
import { SsoStrategy, type SsoSignIn } from './sso.strategy';

export type SsoFailure =
  'sso_denied' | 'sso_state_invalid' | 'sso_user_disabled' | 'sso_no_account' | 'sso_failed';

export type SsoCallbackOutcome =
  | { readonly kind: 'signed-in'; readonly tokens: IssuedTokens }
  | { readonly kind: 'failed'; readonly reason: SsoFailure };

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The two legs of an SSO sign-in, each turned into data for the controller to answer with. */
@Injectable()
export class SsoService {
  private readonly logger = new Logger('SsoService');

  constructor(
    private readonly strategy: SsoStrategy,
    private readonly stateStore: SsoStateStore,
    private readonly credentials: UserCredentials,
    private readonly auth: AuthService,
    private readonly audit: AuditLog,
    private readonly secretBox: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  provider(id: string): SsoProviderConfig {
    const provider = this.config.auth.sso;
    if (!provider || provider.id !== id) {
      throw new AuthError(AuthErrorCode.SsoProviderUnknown, `No sign-in provider called ${id}`);
    }
    return provider;
  }

  /** Leg one: where to send the browser, and the state to bind to it with a cookie. */
  async begin(providerId: string): Promise<{ url: string; state: string }> {
    this.provider(providerId);
    await this.stateStore.prune();
    const outcome = await runStrategy<SsoSignIn>(this.strategy, { query: {} });
    if (outcome.kind !== 'redirect') throw new Error(`SSO authorize step ended with ${outcome.kind}`);
    const state = new URL(outcome.url).searchParams.get('state');
    if (!state) throw new Error('SSO authorize URL carries no state');
    return { url: outcome.url, state };
  }

  /** Leg two: the provider sent the browser back with a code (or an error). */
  async complete(
    providerId: string,
    query: Record<string, unknown>,
    browserState: string | undefined,
    actor: RequestActor,
  ): Promise<SsoCallbackOutcome> {
    const provider = this.provider(providerId);
    const state = typeof query['state'] === 'string' ? query['state'] : '';
    const fail = async (reason: SsoFailure, detail: string): Promise<SsoCallbackOutcome> => {
      await this.audit.record({
        action: 'auth.sso.failed',
        context: actor,
        outcome: 'failure',
        details: { provider: provider.id, reason, detail },
      });
      return { kind: 'failed', reason };
    };
    // The state must be the one this browser was given, or a stranger's login could be planted here.
    if (!state || !browserState || !sameText(state, browserState)) {
      return fail('sso_state_invalid', 'state does not match this browser');
    }
    if (typeof query['error'] === 'string') {
      if ((await this.stateStore.consume(state)) === undefined) {
        return fail('sso_state_invalid', 'The sign-in state is unknown, used or expired');
      }
      return fail(
        query['error'] === 'access_denied' ? 'sso_denied' : 'sso_failed',
        `provider said ${query['error']}`,
      );
    }
    const outcome = await runStrategy<SsoSignIn>(this.strategy, { query });
    if (outcome.kind === 'fail') return fail('sso_state_invalid', outcome.reason);
    if (outcome.kind !== 'success') {
      const message =
        outcome.kind === 'error' && outcome.error instanceof Error ? outcome.error.message : outcome.kind;
      this.logger.warn(`SSO sign-in with ${provider.id} failed: ${message}`);
      return fail('sso_failed', message);
    }
    const signIn = outcome.user;
    const ad = (column: string): string => `federated_identities:${provider.id}:${signIn.subject}:${column}`;
    const account = await this.credentials.resolveSsoAccount(
      { provider: provider.id, subject: signIn.subject, email: signIn.email, name: signIn.name },
      { enabled: provider.autoProvision, role: provider.defaultRole },
      {
        accessTokenEncrypted: this.secretBox.encrypt(signIn.accessToken, ad('access_token')),
        refreshTokenEncrypted: signIn.refreshToken
          ? this.secretBox.encrypt(signIn.refreshToken, ad('refresh_token'))
          : null,
        expiresAt: signIn.expiresInSeconds ? new Date(Date.now() + signIn.expiresInSeconds * 1000) : null,
      },
      actor,
    );
    if (!account) return fail('sso_no_account', `no account for ${signIn.email} and provisioning is off`);
    if (account.status !== 'active') return fail('sso_user_disabled', `${signIn.email} is disabled`);
    const tokens = await this.auth.startSession(account, 'sso', actor, 'auth.sso.succeeded', {
      provider: provider.id,
      subject: signIn.subject,
    });
    return { kind: 'signed-in', tokens };
  }
}
