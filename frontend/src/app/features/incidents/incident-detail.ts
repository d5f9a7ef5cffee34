import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  linkedSignal,
  signal,
} from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatButtonToggle, MatButtonToggleGroup } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Title } from '@angular/platform-browser';
import { RouterLink } from '@angular/router';
import { filter, Observable } from 'rxjs';

import { PRODUCT_NAME } from '../../core/page-title-strategy';
import { Problem, problemFrom } from '../../core/problem';
import { Session } from '../../core/session/session';
import { ConfirmDialog } from '../../shared/confirm-dialog/confirm-dialog';
import { Icon } from '../../shared/icon/icon';
import { ConflictNotice } from './conflict-notice';
import { toastConfig } from '../../shared/material-config';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { AssignDialog } from './assign-dialog';
import {
  actionsFor,
  CommentKind,
  INCIDENT_STALE_VERSION,
  IncidentAction,
  IncidentView,
  LEVEL_LABELS,
  Resolution,
  SOURCE_LABELS,
} from './incident';
import { IncidentDeliveries } from './incident-deliveries';
import { IncidentEvents } from './incident-events';
import { IncidentServiceNow } from './incident-servicenow';
import { IncidentMetadata } from '../../shared/incident-rules/incident-metadata';
import { IncidentTimeline } from './incident-timeline';
import { IncidentsApi } from './incidents-api';
import { followIncident } from './live-incident';
import { PriorityBadge } from '../../shared/incident-rules/priority-badge';
import { ReasonDialog } from './reason-dialog';
import { ResolveDialog } from './resolve-dialog';
import { SlaDue } from './sla-due';
import { StateChip } from '../../shared/incident-rules/state-chip';

type ReasonAction = 'hold' | 'cancel' | 'reopen' | 'resume';

interface ReasonQuestion {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  /** The toast once it went through. */
  readonly done: string;
}

const REASON_QUESTIONS: Record<ReasonAction, ReasonQuestion> = {
  hold: {
    title: 'Put on hold',
    message: 'The SLA keeps running. Say what the incident is waiting for.',
    confirmLabel: 'Put on hold',
    done: 'Put on hold.',
  },
  cancel: {
    title: 'Cancel incident',
    message: 'A canceled incident is final: it cannot be reopened.',
    confirmLabel: 'Cancel incident',
    done: 'Incident canceled.',
  },
  resume: {
    title: 'Resume work',
    message: 'The incident goes back to In progress. Say what it was waiting for and what changed.',
    confirmLabel: 'Resume',
    done: 'The incident is in progress again.',
  },
  reopen: {
    title: 'Reopen incident',
    message: 'The resolution (close code and notes) is cleared and work starts again.',
    confirmLabel: 'Reopen',
    done: 'Incident reopened.',
  },
};

/**
 * One incident: what it is, what happened to it, and what the caller may do next. Actions depend
 * on the role (viewers only read) and on the state (the lifecycle in docs/incidents.md). Every
 * action carries the version on screen; when someone else changed the incident meanwhile, the
 * API refuses it and the page offers a reload that keeps whatever the user was typing.
 */
@Component({
  selector: 'nx-incident-detail',
  imports: [
    DatePipe,
    RouterLink,
    MatButton,
    MatButtonToggleGroup,
    MatButtonToggle,
    MatFormField,
    MatLabel,
    MatInput,
    ConflictNotice,
    Icon,
    ProblemNotice,
    PriorityBadge,
    StateChip,
    SlaDue,
    IncidentTimeline,
    IncidentDeliveries,
    IncidentEvents,
    IncidentServiceNow,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  templateUrl: './incident-detail.html',
  styleUrl: './incident-detail.scss',
})
export class IncidentDetail {
  private readonly api = inject(IncidentsApi);
  private readonly session = inject(Session);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  /** The lifecycle's moves, which decide the actions offered. */
  protected readonly metadata = inject(IncidentMetadata);

  /** Route parameter: the incident's id or its number. */
  readonly id = input.required<string>();

  protected readonly levelLabels = LEVEL_LABELS;
  protected readonly sourceLabels = SOURCE_LABELS;

  protected readonly incident = this.api.incident(() => this.id());
  /** Bumped after every change, so the timeline and the deliveries reload. */
  protected readonly revision = signal(0);
  /** Bumped when a comment arrives live: only the timeline reloads. */
  protected readonly timelineRevision = computed(() => this.revision() + this.liveComments());
  private readonly liveComments = signal(0);

  constructor() {
    // The route can only title the tab with the id in the URL; once loaded, say which incident it is.
    const title = inject(Title);
    effect(() => {
      if (this.incident.hasValue()) {
        const { number, title: summary } = this.incident.value();
        title.setTitle(`${number} ${summary} · ${PRODUCT_NAME}`);
      }
    });
    // Live: a newer version replaces the one on screen (what the user is typing is in drafts and
    // dialogs, which keep the version they were opened with), comments appear in the timeline.
    followIncident(
      computed(() => (this.incident.hasValue() ? this.incident.value().id : undefined)),
      {
        changed: (incident) => {
          const current = this.current();
          if (!current || incident.version <= current.version) return;
          this.incident.set(incident);
          this.revision.update((n) => n + 1);
        },
        commented: () => {
          this.liveComments.update((n) => n + 1);
        },
        resync: () => {
          this.incident.reload();
          this.revision.update((n) => n + 1);
        },
      },
    );
  }

  protected readonly canAct = computed(() => this.session.hasRole('responder', 'admin'));
  protected readonly actions = computed<ReadonlySet<IncidentAction>>(() => {
    if (!this.canAct() || !this.incident.hasValue()) return new Set();
    const { state } = this.incident.value();
    return new Set(actionsFor(state, this.metadata.nextStates(state)));
  });
  /** Assigning and editing are possible until the incident is closed or canceled. */
  protected readonly isOpen = computed(
    () => this.incident.hasValue() && this.metadata.isFinal(this.incident.value().state) === false,
  );
  protected readonly assignedToMe = computed(() => {
    const me = this.session.user();
    return !!me && this.incident.hasValue() && this.incident.value().assignee?.id === me.id;
  });

  protected readonly busy = signal(false);
  // Everything below belongs to the incident on screen: opening another one starts afresh.
  /** Set when a write was refused because the incident changed since it was loaded. */
  protected readonly conflict = linkedSignal<string, Problem | null>({
    source: this.id,
    computation: () => null,
  });
  protected readonly problem = linkedSignal<string, Problem | null>({
    source: this.id,
    computation: () => null,
  });

  // What the user typed and has not sent yet; kept across failures and reloads.
  protected readonly commentDraft = linkedSignal({ source: this.id, computation: () => '' });
  protected readonly commentKind = signal<CommentKind>('comment');
  private readonly resolveDraft = linkedSignal<string, Resolution | undefined>({
    source: this.id,
    computation: () => undefined,
  });
  private readonly reasonDrafts = linkedSignal<string, Partial<Record<ReasonAction, string>>>({
    source: this.id,
    computation: () => ({}),
  });

  protected acknowledge(): void {
    this.run((i) => this.api.acknowledge(i.id, i.version), 'Acknowledged: the incident is in progress.');
  }

  protected assignToMe(): void {
    const me = this.session.user();
    if (me) {
      this.run((i) => this.api.assign(i.id, { assigneeId: me.id }, i.version), 'Assigned to you.');
    }
  }

  protected unassign(): void {
    this.run((i) => this.api.assign(i.id, { assigneeId: null }, i.version), 'Unassigned.');
  }

  protected assign(): void {
    const current = this.current();
    if (!current) return;
    AssignDialog.ask(this.dialog, current)
      .pipe(filter((assignment) => assignment !== undefined))
      .subscribe((assignment) => {
        this.run(
          (i) => this.api.assign(i.id, assignment, i.version),
          'Assignment saved.',
          undefined,
          current,
        );
      });
  }

  protected askReason(action: ReasonAction): void {
    const current = this.current();
    if (!current) return;
    const question = REASON_QUESTIONS[action];
    const reason = this.reasonDrafts()[action];
    ReasonDialog.ask(this.dialog, {
      title: `${question.title}: ${current.number}`,
      message: question.message,
      confirmLabel: question.confirmLabel,
      ...(reason ? { reason } : {}),
    })
      .pipe(filter((given): given is string => given !== undefined))
      .subscribe((given) => {
        this.reasonDrafts.update((drafts) => ({ ...drafts, [action]: given }));
        this.run(
          (i) => this.api[action](i.id, given, i.version),
          question.done,
          () => {
            this.reasonDrafts.update((drafts) => ({ ...drafts, [action]: undefined }));
          },
          current,
        );
      });
  }

  protected resolve(): void {
    const current = this.current();
    if (!current) return;
    const draft = this.resolveDraft();
    ResolveDialog.ask(this.dialog, { number: current.number, ...(draft ? { draft } : {}) })
      .pipe(filter((resolution) => resolution !== undefined))
      .subscribe((resolution) => {
        this.resolveDraft.set(resolution);
        this.run(
          (i) => this.api.resolve(i.id, resolution, i.version),
          'Incident resolved.',
          () => {
            this.resolveDraft.set(undefined);
          },
          current,
        );
      });
  }

  protected close(): void {
    const current = this.current();
    if (!current) return;
    ConfirmDialog.ask(this.dialog, {
      title: `Close ${current.number}?`,
      message: 'A closed incident is final: it cannot be reopened or changed any more.',
      confirmLabel: 'Close incident',
    })
      .pipe(filter(Boolean))
      .subscribe(() => {
        this.run((i) => this.api.close(i.id, i.version), 'Incident closed.', undefined, current);
      });
  }

  protected submitComment(event: Event): void {
    event.preventDefault();
    const current = this.current();
    const body = this.commentDraft().trim();
    if (!current || !body || this.busy()) return;
    const kind = this.commentKind();
    this.busy.set(true);
    this.problem.set(null);
    this.api.comment(current.id, body, kind).subscribe({
      next: () => {
        this.busy.set(false);
        this.commentDraft.set('');
        this.revision.update((n) => n + 1);
        this.snackBar.open(
          kind === 'work_note' ? 'Work note added.' : 'Comment added.',
          undefined,
          toastConfig(),
        );
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.fail(error);
      },
    });
  }

  /** Fetches the incident as it is now; drafts (comment, dialog input) stay as they are. */
  protected reload(): void {
    this.conflict.set(null);
    this.problem.set(null);
    this.incident.reload();
    this.revision.update((n) => n + 1);
  }

  private current(): IncidentView | undefined {
    return this.incident.hasValue() ? this.incident.value() : undefined;
  }

  /**
   * `seen`: the version a dialog was opened on. A change that arrived live while the dialog was
   * open must not be overwritten unknowingly: the API refuses the old version and the conflict
   * banner offers a reload.
   */
  private run(
    action: (incident: IncidentView) => Observable<IncidentView>,
    done: string,
    succeeded?: () => void,
    seen?: IncidentView,
  ): void {
    const current = seen ?? this.current();
    if (!current || this.busy()) return;
    this.busy.set(true);
    this.problem.set(null);
    this.conflict.set(null);
    action(current).subscribe({
      next: (updated) => {
        this.busy.set(false);
        this.incident.set(updated);
        this.revision.update((n) => n + 1);
        succeeded?.();
        this.snackBar.open(done, undefined, toastConfig());
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.fail(error);
      },
    });
  }

  private fail(error: unknown): void {
    const problem = problemFrom(error);
    if (problem.code === INCIDENT_STALE_VERSION) {
      this.conflict.set(problem);
    } else {
      this.problem.set(problem);
    }
  }
}
