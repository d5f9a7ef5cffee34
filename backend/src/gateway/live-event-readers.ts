import type { Role } from '../common/auth/roles';

/**
 * Who may read each event type on the live feed: the people who may read the same thing over
 * REST. A type nobody declared reaches nobody, so a new, more private event type cannot leak to
 * every socket by default.
 */
export class LiveEventReaders {
  private readonly rolesByType = new Map<string, readonly Role[]>();

  /** Declares the readers of these types, once: a second declaration would quietly widen or narrow it. */
  allow(eventTypes: readonly string[], roles: readonly Role[]): this {
    if (roles.length === 0) throw new Error('An event type on the live feed needs at least one reader role');
    for (const type of eventTypes) {
      if (this.rolesByType.has(type)) throw new Error(`The live readers of "${type}" are already declared`);
      this.rolesByType.set(type, [...new Set(roles)]);
    }
    return this;
  }

  /** The roles that receive this type; none for an undeclared type. */
  rolesFor(eventType: string): readonly Role[] {
    return this.rolesByType.get(eventType) ?? [];
  }

  readableBy(role: Role): string[] {
    return [...this.rolesByType].filter(([, roles]) => roles.includes(role)).map(([type]) => type);
  }
}
