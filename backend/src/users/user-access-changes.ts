import { Injectable, Logger } from '@nestjs/common';

/**
 * Tells this process, the moment an admin's change to a person has committed, that what the
 * person may do changed (role, status, forced password change, deletion, ended sessions). The
 * database's trigger signal (auth_access_changed) says the same to every instance a few
 * milliseconds later; this in-process call closes that gap on the instance that made the change,
 * so the person's very next request here is judged on the new rows. Users knows no subscriber
 * (Auth's principal cache subscribes); handlers run synchronously and must not throw.
 */
@Injectable()
export class UserAccessChanges {
  private readonly logger = new Logger(UserAccessChanges.name);
  private readonly handlers = new Set<(userId: string) => void>();

  subscribe(handler: (userId: string) => void): void {
    this.handlers.add(handler);
  }

  /** Call after the change has committed (a handler may re-read the rows at once). */
  changed(userId: string): void {
    for (const handler of this.handlers) {
      try {
        handler(userId);
      } catch (e) {
        this.logger.error(`User access-change handler failed: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
  }
}
