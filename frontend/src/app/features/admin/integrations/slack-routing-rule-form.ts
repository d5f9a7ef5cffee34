import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  inject,
  input,
  OnInit,
  output,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatCheckbox } from '@angular/material/checkbox';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';

import { Problem, problemFrom } from '../../../core/problem';
import { required } from '../../../shared/form-rules';
import { PRIORITIES, PRIORITY_LABELS, type Priority } from '../../../shared/incident-rules/priority';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { IncidentSource, SlackApi, SlackRoutingRuleCreate, SlackRoutingRuleView } from './slack-api';

/** A Slack channel id (not its name): C… public, G… private, D… a DM. */
export const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

export const SOURCES: readonly IncidentSource[] = ['console', 'api', 'slack', 'servicenow', 'webhook'];

/** "network, Database ,, db" → ['network', 'Database', 'db']. */
export function categoriesOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== ''),
    ),
  ];
}

/**
 * Adds or edits one routing rule: the channel, what it matches (priorities, categories, sources;
 * none ticked means any) and what the card's thread gets. Work notes can only be ticked for a
 * channel marked internal. Emits the rule as the API saved it.
 */
@Component({
  selector: 'nx-slack-routing-rule-form',
  imports: [
    ReactiveFormsModule,
    MatButton,
    MatCheckbox,
    MatFormField,
    MatLabel,
    MatHint,
    MatError,
    MatInput,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (problem(); as p) {
      <nx-problem-notice [error]="p" />
    }
    <form
      [formGroup]="form"
      (ngSubmit)="submit()"
      novalidate
      [attr.aria-label]="rule() ? 'Edit routing rule' : 'New routing rule'"
    >
      <div class="pair">
        <mat-form-field appearance="outline">
          <mat-label>Name</mat-label>
          <input matInput formControlName="name" maxlength="100" autocomplete="off" required />
          @if (form.controls.name.hasError('required')) {
            <mat-error>Name the rule.</mat-error>
          }
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Channel ID</mat-label>
          <input matInput formControlName="channelId" autocomplete="off" spellcheck="false" required />
          <mat-hint>In Slack: channel details, at the bottom (C0123456789)</mat-hint>
          @if (form.controls.channelId.hasError('required')) {
            <mat-error>Enter the channel's ID.</mat-error>
          } @else if (form.controls.channelId.hasError('pattern')) {
            <mat-error>A channel ID looks like C0123456789 (not #name).</mat-error>
          }
        </mat-form-field>
      </div>

      <fieldset>
        <legend>Priorities <span class="muted">(none: any)</span></legend>
        @for (p of priorities; track p) {
          <mat-checkbox
            [checked]="chosenPriorities().includes(p)"
            (change)="togglePriority(p, $event.checked)"
            >P{{ p }} {{ priorityLabels[p] }}</mat-checkbox
          >
        }
      </fieldset>

      <mat-form-field appearance="outline" class="wide">
        <mat-label>Categories</mat-label>
        <input matInput formControlName="categories" autocomplete="off" />
        <mat-hint>Comma-separated, e.g. network, database. Empty: any category.</mat-hint>
      </mat-form-field>

      <fieldset>
        <legend>Sources <span class="muted">(none: any)</span></legend>
        @for (s of sources; track s) {
          <mat-checkbox [checked]="chosenSources().includes(s)" (change)="toggleSource(s, $event.checked)">{{
            s
          }}</mat-checkbox>
        }
      </fieldset>

      <fieldset>
        <legend>Channel and thread</legend>
        <mat-checkbox formControlName="internal">Internal channel (responders only)</mat-checkbox>
        <mat-checkbox formControlName="threadComments">Comments in the thread</mat-checkbox>
        <mat-checkbox formControlName="threadWorkNotes"
          >Work notes in the thread (internal channels only)</mat-checkbox
        >
        <mat-checkbox formControlName="threadStateChanges">State changes in the thread</mat-checkbox>
        <mat-checkbox formControlName="enabled">Enabled</mat-checkbox>
      </fieldset>

      <div class="actions">
        <button mat-flat-button type="submit" [disabled]="saving()">
          {{ rule() ? 'Save rule' : 'Add rule' }}
        </button>
        <button mat-button type="button" (click)="cancelled.emit()">Cancel</button>
      </div>
    </form>
  `,
  styles: `
    form {
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
    .pair {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 220px), 1fr));
      gap: 0 12px;
    }
    fieldset {
      display: flex;
      flex-wrap: wrap;
      gap: 0 12px;
      margin: 0;
      padding: 4px 8px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: var(--mat-sys-corner-small);
      min-width: 0;
    }
    legend {
      font: var(--mat-sys-label-large);
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
      font-weight: normal;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
  `,
})
export class SlackRoutingRuleForm implements OnInit {
  /** The rule to edit; none: a new rule. */
  readonly rule = input<SlackRoutingRuleView | null>(null);
  readonly saved = output<SlackRoutingRuleView>();
  readonly cancelled = output();

  private readonly api = inject(SlackApi);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly priorities = PRIORITIES;
  protected readonly priorityLabels = PRIORITY_LABELS;
  protected readonly sources = SOURCES;
  protected readonly chosenPriorities = signal<Priority[]>([]);
  protected readonly chosenSources = signal<IncidentSource[]>([]);
  protected readonly saving = signal(false);
  protected readonly problem = signal<Problem | null>(null);

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [required, Validators.maxLength(100)]],
    channelId: ['', [required, Validators.pattern(CHANNEL_ID)]],
    categories: [''],
    internal: [false],
    threadComments: [true],
    threadWorkNotes: [{ value: false, disabled: true }],
    threadStateChanges: [true],
    enabled: [true],
  });

  ngOnInit(): void {
    const rule = this.rule();
    if (rule) {
      this.form.patchValue({
        name: rule.name,
        channelId: rule.channelId,
        categories: rule.categories.join(', '),
        internal: rule.internal,
        threadComments: rule.threadComments,
        threadWorkNotes: rule.threadWorkNotes,
        threadStateChanges: rule.threadStateChanges,
        enabled: rule.enabled,
      });
      this.chosenPriorities.set([...rule.priorities]);
      this.chosenSources.set([...rule.sources]);
    }
    this.syncWorkNotes(this.form.controls.internal.value);
    this.form.controls.internal.valueChanges
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((internal) => {
        this.syncWorkNotes(internal);
      });
  }

  /** Work notes only for an internal channel: unticked and locked otherwise. */
  private syncWorkNotes(internal: boolean): void {
    const workNotes = this.form.controls.threadWorkNotes;
    if (internal) workNotes.enable({ emitEvent: false });
    else {
      workNotes.setValue(false, { emitEvent: false });
      workNotes.disable({ emitEvent: false });
    }
  }

  protected togglePriority(p: Priority, on: boolean): void {
    this.chosenPriorities.update((list) =>
      on ? [...new Set([...list, p])].sort() : list.filter((x) => x !== p),
    );
  }

  protected toggleSource(s: IncidentSource, on: boolean): void {
    this.chosenSources.update((list) => (on ? [...new Set([...list, s])] : list.filter((x) => x !== s)));
  }

  protected submit(): void {
    this.form.markAllAsTouched();
    if (this.form.invalid || this.saving()) return;
    const v = this.form.getRawValue();
    const body: SlackRoutingRuleCreate = {
      name: v.name.trim(),
      channelId: v.channelId.trim(),
      priorities: this.chosenPriorities(),
      categories: categoriesOf(v.categories),
      sources: this.chosenSources(),
      internal: v.internal,
      threadComments: v.threadComments,
      threadWorkNotes: v.internal && v.threadWorkNotes,
      threadStateChanges: v.threadStateChanges,
      enabled: v.enabled,
    };
    const rule = this.rule();
    this.saving.set(true);
    this.problem.set(null);
    const request = rule ? this.api.update(rule.id, body) : this.api.create(body);
    request.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (saved) => {
        this.saving.set(false);
        this.saved.emit(saved);
      },
      error: (e: unknown) => {
        this.saving.set(false);
        this.problem.set(problemFrom(e));
      },
    });
  }
}
