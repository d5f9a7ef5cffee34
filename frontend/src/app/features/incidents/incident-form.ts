import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatOption, MatSelect } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { Observable } from 'rxjs';

import { Problem, problemFrom } from '../../core/problem';
import { required } from '../../shared/form-rules';
import { Icon } from '../../shared/icon/icon';
import { ConflictNotice } from './conflict-notice';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import {
  INCIDENT_STALE_VERSION,
  IncidentPatch,
  IncidentView,
  Level,
  LEVEL_LABELS,
  LEVELS,
  NewIncident,
  VALIDATION_FAILED,
} from './incident';
import { IncidentMetadata } from '../../shared/incident-rules/incident-metadata';
import { IncidentsApi } from './incidents-api';
import { actorName } from '../../core/live/live-protocol';
import { followIncident } from './live-incident';
import { PriorityBadge } from '../../shared/incident-rules/priority-badge';

export const TITLE_MAX_LENGTH = 200;

const FIELDS = ['title', 'description', 'impact', 'urgency', 'category', 'assignmentGroup'] as const;
type Field = (typeof FIELDS)[number];

/** `body.title`, `title` or `/title` all name the `title` control. */
function fieldName(field: string): Field | undefined {
  const last = field.split(/[./]/).pop() ?? '';
  return FIELDS.find((name) => name === last);
}

/**
 * Opens an incident (`/incidents/new`) or edits one (`/incidents/:id/edit`). The priority follows
 * impact and urgency as the API derives it, shown live; the server's field errors appear under
 * the fields they concern.
 */
@Component({
  selector: 'nx-incident-form',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatFormField,
    MatLabel,
    MatError,
    MatHint,
    MatInput,
    MatSelect,
    MatOption,
    MatButton,
    ConflictNotice,
    Icon,
    ProblemNotice,
    PriorityBadge,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  templateUrl: './incident-form.html',
  styleUrl: './incident-form.scss',
})
export class IncidentForm {
  private readonly api = inject(IncidentsApi);
  private readonly router = inject(Router);
  /** The priority matrix, from the API. */
  protected readonly metadata = inject(IncidentMetadata);

  /** Route parameter on `/incidents/:id/edit`; absent when opening a new incident. */
  readonly id = input<string>();
  protected readonly editing = computed(() => !!this.id());

  protected readonly levels = LEVELS;
  protected readonly levelLabels = LEVEL_LABELS;
  protected readonly titleMax = TITLE_MAX_LENGTH;

  protected readonly form = inject(NonNullableFormBuilder).group({
    title: ['', [required, Validators.maxLength(TITLE_MAX_LENGTH)]],
    description: [''],
    impact: [3 as Level, required],
    urgency: [3 as Level, required],
    category: [''],
    assignmentGroup: [''],
  });
  private readonly impact = toSignal(this.form.controls.impact.valueChanges, {
    initialValue: this.form.controls.impact.value,
  });
  private readonly urgency = toSignal(this.form.controls.urgency.valueChanges, {
    initialValue: this.form.controls.urgency.value,
  });
  protected readonly priority = computed(() => this.metadata.priorityOf(this.impact(), this.urgency()));

  /** The incident being edited, as last loaded; its version guards the save. */
  protected readonly incident = this.api.incident(() => this.id());

  protected readonly busy = signal(false);
  protected readonly problem = signal<Problem | null>(null);
  protected readonly conflict = signal(false);
  /**
   * A newer version that arrived live while the user had unsaved changes: shown as a banner, not
   * applied, until the user chooses to reload (drop the draft) or keep editing (on top of it).
   */
  protected readonly changedElsewhere = signal<IncidentView | null>(null);
  /** Who made that change, when the live connection said (a resync over REST does not). */
  protected readonly changedBy = signal<string | null>(null);

  constructor() {
    followIncident(
      computed(() => (this.editing() && this.incident.hasValue() ? this.incident.value().id : undefined)),
      {
        changed: (incident, by) => {
          this.onNewer(incident, actorName(by));
        },
        resync: () => {
          if (!this.incident.hasValue()) return;
          this.api.get(this.incident.value().id).subscribe({
            next: (incident) => {
              this.onNewer(incident, null);
            },
            error: () => undefined, // a failed refetch leaves the form as it is; saving still guards the version
          });
        },
      },
    );

    // Fill the form from the loaded incident. A reload after a conflict brings their version: the
    // fields the user changed keep the user's input, the others take their values, so saving again
    // sends only the user's own changes and does not undo theirs.
    effect(() => {
      if (this.incident.hasValue()) {
        const incident = this.incident.value();
        untracked(() => {
          this.fill(incident);
        });
      }
    });
  }

  protected submit(): void {
    if (this.busy()) {
      return;
    }
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const request = this.editing() ? this.save() : this.create();
    if (!request) {
      return;
    }
    this.busy.set(true);
    this.problem.set(null);
    this.conflict.set(false);
    request.subscribe({
      next: (incident) => {
        this.busy.set(false);
        this.form.markAsPristine();
        void this.router.navigate(['/incidents', incident.number]);
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.showProblem(problemFrom(error));
      },
    });
  }

  /** Drops the draft and shows the version that arrived meanwhile. */
  protected takeTheirs(): void {
    const newer = this.changedElsewhere();
    if (!newer) return;
    this.changedElsewhere.set(null);
    this.conflict.set(false);
    this.form.markAsPristine();
    this.incident.set(newer);
  }

  /**
   * Keeps the draft and makes the version that arrived meanwhile the base of the save: the fields
   * the user changed keep the user's input, the others take the new values, and saving sends only
   * the user's changes with the new version, knowingly on top of theirs.
   */
  protected keepEditing(): void {
    const newer = this.changedElsewhere();
    if (!newer) return;
    this.changedElsewhere.set(null);
    this.conflict.set(false);
    this.incident.set(newer);
  }

  /** A newer version from the live connection: applied at once unless it would touch a draft. */
  private onNewer(incident: IncidentView, by: string | null): void {
    if (!this.incident.hasValue() || this.busy()) return; // a save in flight: its answer decides
    const base = this.incident.value();
    if (incident.id !== base.id || incident.version <= base.version) return;
    if (this.form.dirty) {
      const pending = this.changedElsewhere();
      if (!pending || incident.version > pending.version) {
        this.changedElsewhere.set(incident);
        this.changedBy.set(by);
      }
      return;
    }
    this.incident.set(incident);
  }

  /** After a conflict: load their version as the base for the save; the form keeps what was typed. */
  protected reload(): void {
    this.conflict.set(false);
    this.problem.set(null);
    this.incident.reload();
  }

  private create(): Observable<IncidentView> {
    const value = this.form.getRawValue();
    const optional = (text: string) => (text.trim() ? text.trim() : undefined);
    const description = optional(value.description);
    const category = optional(value.category);
    const assignmentGroup = optional(value.assignmentGroup);
    const incident: NewIncident = {
      title: value.title.trim(),
      impact: value.impact,
      urgency: value.urgency,
      ...(description ? { description } : {}),
      ...(category ? { category } : {}),
      ...(assignmentGroup ? { assignmentGroup } : {}),
    };
    return this.api.create(incident);
  }

  /** Sends only the fields that differ from the loaded version, so nobody else's edit is undone. */
  private save(): Observable<IncidentView> | undefined {
    if (!this.incident.hasValue()) {
      return undefined;
    }
    const base = this.incident.value();
    const value = this.form.getRawValue();
    // Empty text is "no value" on both sides: the API sends null, the form holds ''.
    const text = (v: string | null) => (v?.trim() ? v.trim() : null);
    const patch: { -readonly [K in keyof IncidentPatch]: IncidentPatch[K] } = {};
    if (value.title.trim() !== base.title) patch.title = value.title.trim();
    if (value.description.trim() !== base.description.trim()) patch.description = value.description.trim();
    if (value.impact !== base.impact) patch.impact = value.impact;
    if (value.urgency !== base.urgency) patch.urgency = value.urgency;
    if (text(value.category) !== text(base.category)) patch.category = text(value.category);
    if (text(value.assignmentGroup) !== text(base.assignmentGroup)) {
      patch.assignmentGroup = text(value.assignmentGroup);
    }
    if (Object.keys(patch).length === 0) {
      void this.router.navigate(['/incidents', base.number]);
      return undefined;
    }
    return this.api.update(base.id, patch, base.version);
  }

  private fill(incident: IncidentView): void {
    const { title, description, impact, urgency, category, assignmentGroup } = this.form.controls;
    if (!title.dirty) title.setValue(incident.title);
    if (!description.dirty) description.setValue(incident.description);
    if (!impact.dirty) impact.setValue(incident.impact);
    if (!urgency.dirty) urgency.setValue(incident.urgency);
    if (!category.dirty) category.setValue(incident.category ?? '');
    if (!assignmentGroup.dirty) assignmentGroup.setValue(incident.assignmentGroup ?? '');
  }

  /** Field errors go under their fields; the notice keeps only what no field can show. */
  private showProblem(problem: Problem): void {
    if (problem.code === INCIDENT_STALE_VERSION) {
      this.conflict.set(true);
      return;
    }
    const unplaced = (problem.errors ?? []).filter((fieldError) => {
      const name = fieldName(fieldError.field);
      if (!name || problem.code !== VALIDATION_FAILED) {
        return true;
      }
      const control = this.form.controls[name];
      control.setErrors({ ...control.errors, server: fieldError.message });
      control.markAsTouched();
      return false;
    });
    const placed = (problem.errors?.length ?? 0) - unplaced.length;
    if (placed > 0 && unplaced.length === 0) {
      this.problem.set({
        ...problem,
        detail: 'Check the highlighted fields.',
        errors: [],
      });
    } else {
      this.problem.set({ ...problem, errors: unplaced });
    }
  }

  protected serverError(name: Field): string | null {
    const error: unknown = this.form.controls[name].getError('server');
    return typeof error === 'string' ? error : null;
  }
}
