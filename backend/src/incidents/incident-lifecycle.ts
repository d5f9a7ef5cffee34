import type { CloseCode, IncidentState } from './incident-state';
import { IncidentError, IncidentErrorCode } from './incident.errors';

/** What a transition changes besides the state; IncidentCommands writes it as given. */
export interface TransitionEffect {
  readonly state: IncidentState;
  readonly acknowledgedAt?: Date;
  readonly resolvedAt?: Date | null;
  readonly closedAt?: Date | null;
  readonly closeCode?: CloseCode | null;
  readonly closeNotes?: string | null;
}

export interface LifecycleSnapshot {
  readonly state: IncidentState;
  readonly acknowledgedAt: Date | null;
}

/**
 * The one place that knows which state may follow which, and what each move implies
 * (acknowledged time, resolution fields). Free of Nest and TypeORM: its spec just calls `new`.
 */
export class IncidentLifecycle {
  private static readonly next: Readonly<Record<IncidentState, readonly IncidentState[]>> = {
    new: ['in_progress', 'on_hold', 'resolved', 'canceled'],
    in_progress: ['on_hold', 'resolved', 'canceled'],
    on_hold: ['in_progress', 'resolved', 'canceled'],
    resolved: ['closed', 'in_progress'],
    closed: [],
    canceled: [],
  };

  static allowedFrom(state: IncidentState): readonly IncidentState[] {
    return IncidentLifecycle.next[state];
  }

  static isOpen(state: IncidentState): boolean {
    return state === 'new' || state === 'in_progress' || state === 'on_hold';
  }

  /** Moves to `to`, or throws INCIDENT_ILLEGAL_TRANSITION naming what is allowed. */
  move(
    from: LifecycleSnapshot,
    to: IncidentState,
    now: Date,
    resolution?: { readonly closeCode?: CloseCode | null; readonly closeNotes?: string | null },
    /** Only from this state (a named move such as reopen or resume), else any the table allows. */
    onlyFrom?: IncidentState,
  ): TransitionEffect {
    const allowed = IncidentLifecycle.next[from.state];
    if (!allowed.includes(to) || (onlyFrom !== undefined && onlyFrom !== from.state)) {
      throw new IncidentError(
        IncidentErrorCode.IllegalTransition,
        `An incident that is ${from.state} cannot become ${to}` +
          (allowed.length ? ` (it can become ${allowed.join(', ')})` : ' (it is final)'),
        { from: from.state, to, allowed },
      );
    }
    // The first move out of New counts as the acknowledgement, whatever it is.
    const acknowledgedAt = from.acknowledgedAt ?? (from.state === 'new' ? now : undefined);
    const ack = acknowledgedAt ? { acknowledgedAt } : {};
    switch (to) {
      case 'resolved': {
        const closeCode = resolution?.closeCode ?? null;
        const closeNotes = resolution?.closeNotes?.trim() || null;
        if (!closeCode || !closeNotes) {
          throw new IncidentError(
            IncidentErrorCode.CloseFieldsRequired,
            'Resolving needs a close code and close notes',
            { missing: [...(closeCode ? [] : ['closeCode']), ...(closeNotes ? [] : ['closeNotes'])] },
          );
        }
        return { state: to, ...ack, resolvedAt: now, closeCode, closeNotes };
      }
      case 'closed':
        return { state: to, ...ack, closedAt: now };
      case 'in_progress':
        // Reopening a resolved incident clears its resolution.
        return from.state === 'resolved'
          ? { state: to, ...ack, resolvedAt: null, closeCode: null, closeNotes: null }
          : { state: to, ...ack };
      default:
        return { state: to, ...ack };
    }
  }

  /** Acknowledge: New moves to In Progress; elsewhere it only stamps the time if never set. */
  acknowledge(from: LifecycleSnapshot, now: Date): TransitionEffect {
    if (from.state === 'new') return this.move(from, 'in_progress', now);
    if (!IncidentLifecycle.isOpen(from.state)) {
      throw new IncidentError(
        IncidentErrorCode.IllegalTransition,
        `An incident that is ${from.state} cannot be acknowledged`,
        { from: from.state, to: 'in_progress', allowed: IncidentLifecycle.next[from.state] },
      );
    }
    return { state: from.state, ...(from.acknowledgedAt ? {} : { acknowledgedAt: now }) };
  }
}
