import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { WebAPIPlatformError } from '@slack/web-api';
import type { DataSource } from 'typeorm';
import type { RequestActor, UserPrincipal } from '../common/auth/principal';
import type { Role } from '../common/auth/roles';
import { ListUsersQuery } from '../users/dto/list-users.query';
import { UsersService } from '../users/users.service';
import { SlackWorkspaces } from './slack-workspaces';

/** How long users.info's answer (the person's email) is trusted before it is asked again. */
export const SLACK_USER_CACHE_SECONDS = 3600;

/** Who may do what from Slack: the REST routes' rule (viewers read; responders and admins act). */
const WRITERS: readonly Role[] = ['responder', 'admin'];
const READERS: readonly Role[] = ['viewer', 'responder', 'admin'];

export type SlackPermission = 'read' | 'write';

/** The product user behind a Slack user, or why there is none who may do this. */
export type SlackUserMapping =
  | { readonly ok: true; readonly actor: RequestActor; readonly userId: string; readonly email: string }
  | { readonly ok: false; readonly reason: string };

/** The id Slack's user carries in the timeline's actor (a person acting from Slack, not a session). */
export const SLACK_SERVICE_ID = 'slack';

/**
 * Maps a Slack user to a product user by email (users.info → profile.email, protocols.md §2.6),
 * caching Slack's answer for an hour in slack_user_links. The product user is looked up on every
 * call, so a role change or a disabled account applies at once. An unknown email, a disabled user
 * and a viewer asked to act are refused with a sentence the person is shown (ephemerally).
 * A Slack outage or rate limit throws: the inbox retries the action later.
 */
@Injectable()
export class SlackUsers {
  private readonly lookups = new Map<string, Promise<string | null>>();

  constructor(
    private readonly workspaces: SlackWorkspaces,
    private readonly users: UsersService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async map(
    teamId: string | null,
    slackUserId: string,
    permission: SlackPermission,
  ): Promise<SlackUserMapping> {
    const email = await this.emailOf(teamId, slackUserId);
    if (!email) {
      return {
        ok: false,
        reason:
          'Nexecute cannot see your Slack email address, so it cannot tell who you are there. Ask an admin to check the Slack app has the users:read.email scope.',
      };
    }
    const person = await this.personWithEmail(email);
    if (!person) {
      return {
        ok: false,
        reason: `No Nexecute account has your Slack email (${email}). Ask an admin to add you, then try again.`,
      };
    }
    if (person.status !== 'active') {
      return {
        ok: false,
        reason: `Your Nexecute account (${email}) is disabled, so you cannot use it from Slack.`,
      };
    }
    if (person.mustChangePassword) {
      // as over REST (AUTH_PASSWORD_CHANGE_REQUIRED): a temporary password is changed before anything else
      return {
        ok: false,
        reason: `Your Nexecute account (${email}) still has a temporary password: sign in to the console and change it first.`,
      };
    }
    if (!(permission === 'write' ? WRITERS : READERS).includes(person.role)) {
      return {
        ok: false,
        reason: `Your Nexecute role (${person.role}) can read incidents but not change them. Ask an admin for the responder role.`,
      };
    }
    const principal: UserPrincipal = {
      kind: 'user',
      id: person.id,
      email: person.email,
      name: person.name,
      role: person.role,
      sessionId: `slack:${teamId ?? '-'}:${slackUserId}`,
      mustChangePassword: false,
    };
    return {
      ok: true,
      userId: person.id,
      email: person.email,
      actor: {
        principal,
        ip: null,
        userAgent: 'Slack',
        requestId: null,
        service: { id: SLACK_SERVICE_ID, label: `${person.email} via Slack` },
      },
    };
  }

  /** Slack's email for the user: the cached one while fresh, else users.info (and cached). */
  private emailOf(teamId: string | null, slackUserId: string): Promise<string | null> {
    // Clicks on several cards at once are processed in parallel: they share one lookup.
    const key = `${teamId ?? '-'}:${slackUserId}`;
    const pending = this.lookups.get(key);
    if (pending) return pending;
    const lookup = this.lookUpEmail(teamId, slackUserId).finally(() => this.lookups.delete(key));
    this.lookups.set(key, lookup);
    return lookup;
  }

  private async lookUpEmail(teamId: string | null, slackUserId: string): Promise<string | null> {
    const team = teamId ?? (await this.workspaces.defaultTeamId()) ?? '-';
    const [cached] = await this.dataSource.query<{ email: string | null }[]>(
      `SELECT email FROM slack_user_links
        WHERE team_id = $1 AND slack_user_id = $2 AND fetched_at > now() - make_interval(secs => $3)`,
      [team, slackUserId, SLACK_USER_CACHE_SECONDS],
    );
    if (cached) return cached.email;
    let email: string | null = null;
    try {
      const client = await this.workspaces.client(teamId);
      const answer = await client.users.info({ user: slackUserId });
      const profileEmail = (answer.user as { profile?: { email?: unknown } } | undefined)?.profile?.email;
      email = typeof profileEmail === 'string' && profileEmail.includes('@') ? profileEmail.trim() : null;
    } catch (e) {
      // `user_not_found` is an answer (no such person: no email); anything else is an outage.
      if (!(e instanceof WebAPIPlatformError && e.data.error === 'user_not_found')) throw e;
    }
    await this.dataSource.query(
      `INSERT INTO slack_user_links (team_id, slack_user_id, email, fetched_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (team_id, slack_user_id) DO UPDATE SET email = EXCLUDED.email, fetched_at = EXCLUDED.fetched_at`,
      [team, slackUserId, email],
    );
    return email;
  }

  /** The people directory has no lookup by email for other modules; its search narrows it to a few. */
  private async personWithEmail(email: string) {
    const query = Object.assign(new ListUsersQuery(), { search: email, pageSize: 100 });
    const page = await this.users.list(query);
    return page.items.find((u) => u.email.toLowerCase() === email.toLowerCase()) ?? null;
  }
}
