import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import {
  AbstractControl,
  FormControl,
  FormGroup,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  ValidationErrors,
  Validators,
} from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialog, MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatRadioButton, MatRadioGroup } from '@angular/material/radio';
import { MatOption, MatSelect } from '@angular/material/select';
import { map, Observable } from 'rxjs';

import { Problem, problemFrom } from '../../../core/problem';
import { DialogShell } from '../../../shared/dialog-shell/dialog-shell';
import { required } from '../../../shared/form-rules';
import { IncidentMetadata } from '../../../shared/incident-rules/incident-metadata';
import { CloseCode, Level, LEVEL_LABELS, LEVELS, Priority } from '../../../shared/incident-rules/priority';
import { PriorityBadge } from '../../../shared/incident-rules/priority-badge';
import { dialogConfig } from '../../../shared/material-config';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import {
  CreatedEventSource,
  DEFAULT_SEVERITY_MAPPING,
  EventSourceSettings,
  EventSourceView,
  NewEventSource,
  SEVERITIES,
  Severity,
  SEVERITY_LABELS,
  SeverityMapping,
} from './event-source';
import { EventSourcesApi } from './event-sources-api';

/** How a new source's events are signed: not at all, with a generated secret, or with the admin's own. */
export type Signing = 'none' | 'generate' | 'own';

export const DEFAULT_RESOLVE_CLOSE_CODE: CloseCode = 'Resolved by caller';
export const RATE_LIMIT_MAX = 100_000;
const SECRET_MIN = 32;
const SECRET_MAX = 256;

/** Without `source` the dialog creates one; with it, it edits that source's settings. */
export interface EventSourceDialogData {
  readonly source?: EventSourceView;
}

export type EventSourceDialogResult =
  | { readonly kind: 'created'; readonly created: CreatedEventSource }
  | { readonly kind: 'updated'; readonly source: EventSourceView };

function ownSecretRule(group: AbstractControl): ValidationErrors | null {
  const { signing, ownSecret } = group.value as { signing?: Signing; ownSecret?: string };
  if (signing !== 'own') return null;
  const length = (ownSecret ?? '').length;
  return length >= SECRET_MIN && length <= SECRET_MAX ? null : { ownSecret: true };
}

/**
 * Creates an event source or edits its settings: name, signing (on create), the defaults its
 * incidents get, how each severity maps to impact × urgency (with the priority that gives, from
 * the API's matrix), the close code of a resolve event and the rate limit.
 */
@Component({
  selector: 'nx-event-source-dialog',
  imports: [
    ReactiveFormsModule,
    DialogShell,
    MatFormField,
    MatLabel,
    MatError,
    MatHint,
    MatInput,
    MatSelect,
    MatOption,
    MatRadioGroup,
    MatRadioButton,
    PriorityBadge,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" novalidate aria-label="Event source">
      <nx-dialog-shell
        [title]="editing ? 'Edit ' + editing.name : 'Create event source'"
        [confirmLabel]="busy() ? 'Saving…' : editing ? 'Save changes' : 'Create source'"
        cancelLabel="Cancel"
        [busy]="busy()"
      >
        @if (problem(); as problem) {
          <nx-problem-notice [error]="problem" />
        }
        <mat-form-field appearance="outline" class="first-field">
          <mat-label>Name</mat-label>
          <input matInput formControlName="name" autocomplete="off" required maxlength="100" />
          <mat-hint>The producer, e.g. "Prometheus (production)".</mat-hint>
          @if (form.controls.name.hasError('required')) {
            <mat-error>Enter a name.</mat-error>
          }
        </mat-form-field>

        @if (!editing) {
          <fieldset class="group">
            <legend>Signing</legend>
            <mat-radio-group formControlName="signing" class="signing" aria-label="Signing">
              <mat-radio-button value="none"
                >Not signed: the integration key alone authenticates</mat-radio-button
              >
              <mat-radio-button value="generate"
                >Signed, with a generated secret (shown once)</mat-radio-button
              >
              <mat-radio-button value="own">Signed, with my own secret</mat-radio-button>
            </mat-radio-group>
            @if (signing() === 'own') {
              <mat-form-field appearance="outline">
                <mat-label>Signing secret</mat-label>
                <input
                  matInput
                  formControlName="ownSecret"
                  autocomplete="off"
                  spellcheck="false"
                  [attr.aria-invalid]="ownSecretInvalid()"
                />
                <mat-hint>32 to 256 characters.</mat-hint>
              </mat-form-field>
              @if (ownSecretInvalid()) {
                <p class="error" role="alert">The secret needs 32 to 256 characters.</p>
              }
            }
            <p class="hint">
              Signed events carry X-Nexecute-Timestamp and X-Nexecute-Signature (HMAC-SHA256). Alertmanager
              cannot sign: give it an unsigned source.
            </p>
          </fieldset>
        }

        <div class="pair">
          <mat-form-field appearance="outline">
            <mat-label>Default assignment group</mat-label>
            <input matInput formControlName="defaultAssignmentGroup" autocomplete="off" maxlength="100" />
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Default category</mat-label>
            <input matInput formControlName="defaultCategory" autocomplete="off" maxlength="100" />
          </mat-form-field>
        </div>

        <fieldset class="group" formGroupName="mapping">
          <legend>Severity → impact × urgency</legend>
          @for (severity of severities; track severity) {
            <div
              class="mapping-row"
              role="group"
              [attr.aria-label]="severityLabels[severity] + ' severity'"
              [formGroupName]="severity"
            >
              <span class="severity">{{ severityLabels[severity] }}</span>
              <mat-form-field appearance="outline" subscriptSizing="dynamic" class="level">
                <mat-label>Impact</mat-label>
                <mat-select formControlName="impact" [attr.aria-label]="severityLabels[severity] + ' impact'">
                  @for (level of levels; track level) {
                    <mat-option [value]="level">{{ level }} · {{ levelLabels[level] }}</mat-option>
                  }
                </mat-select>
              </mat-form-field>
              <mat-form-field appearance="outline" subscriptSizing="dynamic" class="level">
                <mat-label>Urgency</mat-label>
                <mat-select
                  formControlName="urgency"
                  [attr.aria-label]="severityLabels[severity] + ' urgency'"
                >
                  @for (level of levels; track level) {
                    <mat-option [value]="level">{{ level }} · {{ levelLabels[level] }}</mat-option>
                  }
                </mat-select>
              </mat-form-field>
              <span class="priority" aria-live="polite">
                @if (priorities()[severity]; as priority) {
                  <nx-priority-badge [priority]="priority" />
                }
              </span>
            </div>
          }
        </fieldset>

        <div class="pair">
          <mat-form-field appearance="outline">
            <mat-label>Close code of a resolve event</mat-label>
            <mat-select formControlName="resolveCloseCode">
              @for (code of closeCodes(); track code) {
                <mat-option [value]="code">{{ code }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Rate limit (events per minute)</mat-label>
            <input
              matInput
              type="number"
              inputmode="numeric"
              min="1"
              [max]="rateLimitMax"
              formControlName="rateLimitPerMinute"
            />
            @if (form.controls.rateLimitPerMinute.invalid) {
              <mat-error>A whole number from 1 to {{ rateLimitMax }}.</mat-error>
            } @else {
              <mat-hint>{{
                editing ? 'Per instance.' : 'Per instance; empty: the server default.'
              }}</mat-hint>
            }
          </mat-form-field>
        </div>
      </nx-dialog-shell>
    </form>
  `,
  styles: `
    /* The outlined label sits above the field: keep it clear of the dialog content's top edge. */
    .first-field {
      margin-top: 6px;
    }
    .group {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin: 0 0 8px;
      padding: 8px 12px 12px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: var(--mat-sys-corner-small);
    }
    legend {
      padding-inline: 4px;
      font: var(--mat-sys-label-large);
    }
    .signing {
      display: flex;
      flex-direction: column;
    }
    .hint {
      margin: 0;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .error {
      margin: 0;
      color: var(--mat-sys-error);
      font: var(--mat-sys-body-small);
    }
    .pair {
      display: flex;
      flex-wrap: wrap;
      gap: 0 12px;
    }
    .pair mat-form-field {
      flex: 1 1 220px;
    }
    .mapping-row {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
    }
    .severity {
      flex: 0 0 72px;
      font: var(--mat-sys-label-large);
    }
    .level {
      flex: 1 1 120px;
    }
    .priority {
      flex: 0 0 112px;
    }
  `,
})
export class EventSourceDialog {
  private readonly api = inject(EventSourcesApi);
  private readonly metadata = inject(IncidentMetadata);
  private readonly dialogRef = inject<MatDialogRef<EventSourceDialog, EventSourceDialogResult>>(MatDialogRef);
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly editing = inject<EventSourceDialogData | null>(MAT_DIALOG_DATA, { optional: true })
    ?.source;

  protected readonly severities = SEVERITIES;
  protected readonly severityLabels = SEVERITY_LABELS;
  protected readonly levels = LEVELS;
  protected readonly levelLabels = LEVEL_LABELS;
  protected readonly rateLimitMax = RATE_LIMIT_MAX;
  protected readonly closeCodes = computed(() => {
    const codes = this.metadata.closeCodes();
    const current = this.form.controls.resolveCloseCode.value;
    return codes.includes(current) ? codes : [current, ...codes];
  });

  private readonly mapping: SeverityMapping = this.editing?.severityMapping ?? DEFAULT_SEVERITY_MAPPING;
  protected readonly form = this.fb.group(
    {
      name: [this.editing?.name ?? '', [required, Validators.maxLength(100)]],
      signing: this.fb.control<Signing>('none'),
      ownSecret: [''],
      defaultAssignmentGroup: [this.editing?.defaultAssignmentGroup ?? ''],
      defaultCategory: [this.editing?.defaultCategory ?? ''],
      mapping: this.fb.group(
        Object.fromEntries(
          SEVERITIES.map((severity) => [
            severity,
            this.fb.group({
              impact: this.fb.control<Level>(this.mapping[severity].impact),
              urgency: this.fb.control<Level>(this.mapping[severity].urgency),
            }),
          ]),
        ) as Record<Severity, FormGroup<{ impact: FormControl<Level>; urgency: FormControl<Level> }>>,
      ),
      resolveCloseCode: [this.editing?.resolveCloseCode ?? DEFAULT_RESOLVE_CLOSE_CODE],
      rateLimitPerMinute: this.fb.control<number | null>(this.editing?.rateLimitPerMinute ?? null, [
        Validators.min(1),
        Validators.max(RATE_LIMIT_MAX),
        Validators.pattern(/^\d+$/),
      ]),
    },
    { validators: ownSecretRule },
  );

  protected readonly signing = toSignal(this.form.controls.signing.valueChanges, {
    initialValue: this.form.controls.signing.value,
  });
  private readonly mappingValue = toSignal(this.form.controls.mapping.valueChanges, {
    initialValue: this.form.controls.mapping.getRawValue(),
  });
  /** The priority each severity gives, by the API's matrix (undefined until it has loaded). */
  protected readonly priorities = computed(() => {
    const mapping = this.mappingValue();
    const priorities: Partial<Record<Severity, Priority>> = {};
    for (const severity of SEVERITIES) {
      const pair = mapping[severity];
      const priority =
        pair?.impact && pair.urgency ? this.metadata.priorityOf(pair.impact, pair.urgency) : undefined;
      if (priority) priorities[severity] = priority;
    }
    return priorities;
  });
  protected readonly busy = signal(false);
  protected readonly problem = signal<Problem | null>(null);
  private readonly submitted = signal(false);
  private readonly formStatus = toSignal(this.form.statusChanges, { initialValue: this.form.status });
  protected readonly ownSecretInvalid = computed(
    () => this.formStatus() === 'INVALID' && this.submitted() && this.form.hasError('ownSecret'),
  );

  protected submit(): void {
    if (this.busy()) return;
    this.submitted.set(true);
    // Re-evaluate the cross-field rule so its message shows on the first submit too.
    this.form.updateValueAndValidity();
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.problem.set(null);
    this.request().subscribe({
      next: (result) => {
        this.busy.set(false);
        this.dialogRef.close(result);
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.problem.set(problemFrom(error));
      },
    });
  }

  private request(): Observable<EventSourceDialogResult> {
    const settings = this.settings();
    if (this.editing) {
      return this.api
        .update(this.editing.id, settings)
        .pipe(map((source): EventSourceDialogResult => ({ kind: 'updated', source })));
    }
    const { signing, ownSecret } = this.form.getRawValue();
    const source: NewEventSource = {
      ...settings,
      ...(signing === 'generate' ? { signed: true } : {}),
      ...(signing === 'own' ? { signed: true, signingSecret: ownSecret } : {}),
    };
    return this.api
      .create(source)
      .pipe(map((created): EventSourceDialogResult => ({ kind: 'created', created })));
  }

  /** The form as the API takes it; empty defaults are null (none), an empty rate limit is left out. */
  private settings(): EventSourceSettings & { readonly name: string } {
    const value = this.form.getRawValue();
    const rate = value.rateLimitPerMinute;
    return {
      name: value.name.trim(),
      defaultAssignmentGroup: value.defaultAssignmentGroup.trim() || null,
      defaultCategory: value.defaultCategory.trim() || null,
      severityMapping: value.mapping,
      resolveCloseCode: value.resolveCloseCode,
      ...(rate === null ? {} : { rateLimitPerMinute: rate }),
    };
  }

  static open(
    dialog: MatDialog,
    data: EventSourceDialogData = {},
  ): Observable<EventSourceDialogResult | undefined> {
    return dialog
      .open<EventSourceDialog, EventSourceDialogData, EventSourceDialogResult>(
        EventSourceDialog,
        dialogConfig({ data, width: '640px' }),
      )
      .afterClosed();
  }
}
