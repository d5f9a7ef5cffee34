import type { Row } from './servicenow-encoded-query';
import type { ServiceNowSimulator } from './servicenow.simulator';

/**
 * ServiceNow people at work on the simulated instance, for the demo: every few seconds one of
 * them opens an incident, picks one up, asks the caller something, writes a work note, puts one
 * on hold, escalates or resolves one. Every change goes through the simulator's helpers, so it
 * bumps sys_mod_count and fires the business-rule webhook like a change on a real instance.
 */

export type TrickleActionKind =
  'create' | 'start_work' | 'comment' | 'work_note' | 'hold' | 'resume' | 'escalate' | 'resolve' | 'close';

export interface TrickleAction {
  readonly kind: TrickleActionKind;
  readonly sysId: string;
  readonly number: string;
  readonly user: string;
}

export interface TrickleOptions {
  /** Default 5000 ms between changes. */
  readonly intervalMs?: number;
  /** Seed of the pseudo-random choices, so a run can be replayed. Default 13. */
  readonly seed?: number;
  /** user_names who act; default every configured user but the integration user. */
  readonly users?: readonly string[];
  /** Stop opening incidents while this many are open. Default 25. */
  readonly maxOpen?: number;
  /** Called after each change (the main entry point logs it). */
  readonly onAction?: (action: TrickleAction) => void;
}

interface Template {
  readonly short_description: string;
  readonly description: string;
  readonly category: string;
  readonly subcategory: string;
  readonly impact: string;
  readonly urgency: string;
  readonly assignment_group: string;
}

const TEMPLATES: readonly Template[] = [
  {
    short_description: 'Email not syncing on mobile',
    description: 'Outlook on my phone stopped receiving mail since this morning.',
    category: 'software',
    subcategory: 'email',
    impact: '3',
    urgency: '2',
    assignment_group: 'Service Desk',
  },
  {
    short_description: 'VPN disconnects every few minutes',
    description: 'Remote staff in the Lyon office lose the VPN tunnel repeatedly.',
    category: 'network',
    subcategory: 'vpn',
    impact: '2',
    urgency: '2',
    assignment_group: 'Network',
  },
  {
    short_description: 'Checkout API returning 502',
    description: 'Customers cannot complete payment; error rate above 20 %.',
    category: 'software',
    subcategory: 'application',
    impact: '1',
    urgency: '1',
    assignment_group: 'Software',
  },
  {
    short_description: 'Printer on 3rd floor jams',
    description: 'HP LaserJet near the kitchen jams on every duplex job.',
    category: 'hardware',
    subcategory: 'printer',
    impact: '3',
    urgency: '3',
    assignment_group: 'Hardware',
  },
  {
    short_description: 'Reporting database slow',
    description: 'Nightly reports take hours instead of minutes; CPU pegged on db-report-02.',
    category: 'database',
    subcategory: 'performance',
    impact: '2',
    urgency: '3',
    assignment_group: 'Database',
  },
  {
    short_description: 'Cannot log in to HR portal',
    description: 'Password reset link leads to an error page.',
    category: 'inquiry',
    subcategory: 'access',
    impact: '3',
    urgency: '2',
    assignment_group: 'Service Desk',
  },
  {
    short_description: 'Wi-Fi down in meeting rooms',
    description: 'Access points in rooms B1 to B4 show no clients.',
    category: 'network',
    subcategory: 'wireless',
    impact: '2',
    urgency: '1',
    assignment_group: 'Network',
  },
];

const COMMENTS = [
  'Is this still happening after a restart?',
  'Thanks, it works again on my side.',
  'Can you send a screenshot of the error?',
  'Still broken for the whole team.',
];
const WORK_NOTES = [
  'Checked the logs, seeing timeouts upstream.',
  'Escalated to the vendor, ticket opened.',
  'Rolled back the last change on the affected host.',
  'Monitoring after the fix.',
];
const CLOSE_NOTES = ['Restarted the service.', 'Applied the vendor patch.', 'Replaced the faulty part.'];

export class ServiceNowTrickle {
  private timer: NodeJS.Timeout | undefined;
  private state: number;

  constructor(
    private readonly sim: ServiceNowSimulator,
    private readonly options: TrickleOptions = {},
  ) {
    this.state = options.seed ?? 13;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.step(), this.options.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One change by one person; opens an incident when nothing else is possible. */
  step(): TrickleAction {
    const open = this.sim.all().filter((row) => ['1', '2', '3'].includes(row.state ?? ''));
    const resolved = this.sim.all().filter((row) => row.state === '6');
    const user = this.pick(this.actors());
    const candidates: (() => TrickleAction | undefined)[] = [];
    if (open.length < (this.options.maxOpen ?? 25))
      candidates.push(
        () => this.create(user),
        () => this.create(user),
      );
    const byState = (state: string): Row[] => open.filter((row) => row.state === state);
    if (byState('1').length > 0) candidates.push(() => this.startWork(this.pick(byState('1')), user));
    if (byState('2').length > 0) {
      const working = byState('2');
      candidates.push(
        () => this.journal(this.pick(working), 'work_note', user),
        () => this.journal(this.pick(working), 'comment', user),
        () => this.hold(this.pick(working), user),
        () => this.escalate(this.pick(working), user),
        () => this.resolve(this.pick(working), user),
        () => this.resolve(this.pick(working), user),
      );
    }
    if (byState('3').length > 0) candidates.push(() => this.resume(this.pick(byState('3')), user));
    if (resolved.length > 0) candidates.push(() => this.close(this.pick(resolved), user));
    const action = this.pick(candidates)() ?? this.create(user);
    this.options.onAction?.(action);
    return action;
  }

  private create(user: string): TrickleAction {
    const template = this.pick(TEMPLATES);
    const callers = this.actors();
    const record = this.sim.createAsUser({ ...template, caller_id: this.pick(callers) }, user);
    return this.action('create', record, user);
  }

  private startWork(row: Row, user: string): TrickleAction {
    const record = this.sim.updateAsUser(
      row.sys_id ?? '',
      { state: '2', assigned_to: user, work_notes: 'Picked up, investigating.' },
      user,
    );
    return this.action('start_work', record, user);
  }

  private journal(row: Row, kind: 'comment' | 'work_note', user: string): TrickleAction {
    const element = kind === 'comment' ? 'comments' : 'work_notes';
    this.sim.addJournal(
      row.sys_id ?? '',
      element,
      this.pick(kind === 'comment' ? COMMENTS : WORK_NOTES),
      user,
    );
    return this.action(kind, row, user);
  }

  private hold(row: Row, user: string): TrickleAction {
    // Awaiting Caller makes a comment mandatory on the form (protocols.md §1.3).
    const record = this.sim.updateAsUser(
      row.sys_id ?? '',
      { state: '3', hold_reason: '1', comments: 'Waiting for your answer before we continue.' },
      user,
    );
    return this.action('hold', record, user);
  }

  private resume(row: Row, user: string): TrickleAction {
    return this.action('resume', this.sim.updateAsUser(row.sys_id ?? '', { state: '2' }, user), user);
  }

  private escalate(row: Row, user: string): TrickleAction {
    const urgency = String(Math.max(1, Number(row.urgency ?? '3') - 1));
    const record = this.sim.updateAsUser(
      row.sys_id ?? '',
      { urgency, work_notes: `Urgency raised to ${urgency}.` },
      user,
    );
    return this.action('escalate', record, user);
  }

  private resolve(row: Row, user: string): TrickleAction {
    const codes = this.sim.closeCodes();
    const record = this.sim.updateAsUser(
      row.sys_id ?? '',
      { state: '6', close_code: this.pick(codes).value, close_notes: this.pick(CLOSE_NOTES) },
      user,
    );
    return this.action('resolve', record, user);
  }

  private close(row: Row, user: string): TrickleAction {
    return this.action('close', this.sim.updateAsUser(row.sys_id ?? '', { state: '7' }, user), user);
  }

  private action(kind: TrickleActionKind, record: Row, user: string): TrickleAction {
    return { kind, sysId: record.sys_id ?? '', number: record.number ?? '', user };
  }

  private actors(): readonly string[] {
    if (this.options.users !== undefined && this.options.users.length > 0) return this.options.users;
    const integration = this.sim.integrationUserName();
    const people = this.sim.userNames().filter((name) => name !== integration);
    return people.length > 0 ? people : this.sim.userNames();
  }

  /** mulberry32: small, seeded, good enough to look random. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('ServiceNowTrickle: nothing to pick from');
    return item;
  }
}
