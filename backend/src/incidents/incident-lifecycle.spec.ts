import { IncidentLifecycle } from './incident-lifecycle';
import { INCIDENT_STATES, type IncidentState } from './incident-state';
import { IncidentError } from './incident.errors';
import { priorityOf, slaDueAt } from './incident-priority';

const now = new Date('2026-11-25T10:00:00Z');
const earlier = new Date('2026-11-25T09:00:00Z');
const lifecycle = new IncidentLifecycle();
const resolution = { closeCode: 'Solution provided' as const, closeNotes: 'Restarted the pool' };

const LEGAL: ReadonlyArray<readonly [IncidentState, IncidentState]> = [
  ['new', 'in_progress'],
  ['new', 'on_hold'],
  ['new', 'resolved'],
  ['new', 'canceled'],
  ['in_progress', 'on_hold'],
  ['in_progress', 'resolved'],
  ['in_progress', 'canceled'],
  ['on_hold', 'in_progress'],
  ['on_hold', 'resolved'],
  ['on_hold', 'canceled'],
  ['resolved', 'closed'],
  ['resolved', 'in_progress'],
];

describe('IncidentLifecycle', () => {
  const every = INCIDENT_STATES.flatMap((from) => INCIDENT_STATES.map((to) => [from, to] as const));

  it.each(every)('%s -> %s is legal exactly when the table says so', (from, to) => {
    const legal = LEGAL.some(([f, t]) => f === from && t === to);
    const attempt = () => lifecycle.move({ state: from, acknowledgedAt: earlier }, to, now, resolution);
    if (legal) {
      expect(attempt().state).toBe(to);
    } else {
      expect(attempt).toThrow(IncidentError);
      try {
        attempt();
      } catch (e) {
        expect(e).toMatchObject({
          code: 'INCIDENT_ILLEGAL_TRANSITION',
          status: 409,
          extensions: { from, to, allowed: IncidentLifecycle.allowedFrom(from) },
        });
      }
    }
  });

  it('stamps acknowledgedAt on the first move out of New, and never again', () => {
    expect(lifecycle.move({ state: 'new', acknowledgedAt: null }, 'on_hold', now)).toMatchObject({
      acknowledgedAt: now,
    });
    expect(lifecycle.move({ state: 'on_hold', acknowledgedAt: earlier }, 'in_progress', now)).toMatchObject({
      acknowledgedAt: earlier,
    });
    expect(lifecycle.move({ state: 'new', acknowledgedAt: null }, 'canceled', now).acknowledgedAt).toBe(now);
  });

  it('requires a close code and close notes to resolve', () => {
    const from = { state: 'in_progress' as const, acknowledgedAt: earlier };
    expect(() => lifecycle.move(from, 'resolved', now)).toThrow(
      expect.objectContaining({ code: 'INCIDENT_CLOSE_FIELDS_REQUIRED', status: 422 }),
    );
    expect(() =>
      lifecycle.move(from, 'resolved', now, { closeCode: 'Duplicate', closeNotes: '   ' }),
    ).toThrow(expect.objectContaining({ extensions: { missing: ['closeNotes'] } }));
    expect(lifecycle.move(from, 'resolved', now, resolution)).toEqual({
      state: 'resolved',
      acknowledgedAt: earlier,
      resolvedAt: now,
      ...resolution,
    });
  });

  it('a named move can narrow the table to one origin (resume only from On hold)', () => {
    expect(
      lifecycle.move({ state: 'on_hold', acknowledgedAt: earlier }, 'in_progress', now, undefined, 'on_hold')
        .state,
    ).toBe('in_progress');
    expect(() =>
      lifecycle.move(
        { state: 'resolved', acknowledgedAt: earlier },
        'in_progress',
        now,
        undefined,
        'on_hold',
      ),
    ).toThrow(expect.objectContaining({ code: 'INCIDENT_ILLEGAL_TRANSITION' }));
  });

  it('clears the resolution when a resolved incident is reopened', () => {
    expect(lifecycle.move({ state: 'resolved', acknowledgedAt: earlier }, 'in_progress', now)).toEqual({
      state: 'in_progress',
      acknowledgedAt: earlier,
      resolvedAt: null,
      closeCode: null,
      closeNotes: null,
    });
  });

  it('acknowledge moves New to In Progress, stamps an open unacknowledged incident, refuses a finished one', () => {
    expect(lifecycle.acknowledge({ state: 'new', acknowledgedAt: null }, now)).toEqual({
      state: 'in_progress',
      acknowledgedAt: now,
    });
    expect(lifecycle.acknowledge({ state: 'on_hold', acknowledgedAt: null }, now)).toEqual({
      state: 'on_hold',
      acknowledgedAt: now,
    });
    expect(lifecycle.acknowledge({ state: 'in_progress', acknowledgedAt: earlier }, now)).toEqual({
      state: 'in_progress',
    });
    expect(() => lifecycle.acknowledge({ state: 'closed', acknowledgedAt: earlier }, now)).toThrow(
      expect.objectContaining({ code: 'INCIDENT_ILLEGAL_TRANSITION' }),
    );
  });
});

describe('priority matrix and SLA', () => {
  it.each([
    [1, 1, 1],
    [1, 2, 2],
    [1, 3, 3],
    [2, 1, 2],
    [2, 2, 3],
    [2, 3, 4],
    [3, 1, 3],
    [3, 2, 4],
    [3, 3, 5],
  ] as const)('impact %i × urgency %i = P%i', (impact, urgency, priority) => {
    expect(priorityOf(impact, urgency)).toBe(priority);
  });

  it.each([
    [1, 4],
    [2, 8],
    [3, 24],
    [4, 72],
    [5, 168],
  ] as const)('P%i is due %i hours after opening', (priority, hours) => {
    expect(slaDueAt(now, priority).getTime() - now.getTime()).toBe(hours * 3_600_000);
  });
});
