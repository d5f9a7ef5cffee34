import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  linkedSignal,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { filter, switchMap } from 'rxjs';

import { Problem, problemFrom } from '../../../core/problem';
import { ConfirmDialog } from '../../../shared/confirm-dialog/confirm-dialog';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { SLACK_ROUTE_ORDER_MISMATCH, SlackApi, SlackRoutingRuleView } from './slack-api';
import { SlackRoutingRuleForm } from './slack-routing-rule-form';

/** "P1, P2", "any priority". */
export function describeMatch(rule: SlackRoutingRuleView): string {
  const parts = [
    rule.priorities.length ? rule.priorities.map((p) => `P${p}`).join(', ') : 'any priority',
    rule.categories.length ? `category ${rule.categories.join(', ')}` : 'any category',
    rule.sources.length ? `from ${rule.sources.join(', ')}` : 'any source',
  ];
  return parts.join(' · ');
}

/** "comments, state changes", "nothing". */
export function describeThread(rule: SlackRoutingRuleView): string {
  const parts = [
    rule.threadComments ? 'comments' : null,
    rule.threadWorkNotes ? 'work notes' : null,
    rule.threadStateChanges ? 'state changes' : null,
  ].filter((p) => p !== null);
  return parts.length ? parts.join(', ') : 'nothing';
}

/** `ids` with the one at `index` moved by `by` (−1 up, +1 down). */
export function moved(ids: readonly string[], index: number, by: -1 | 1): string[] {
  const next = [...ids];
  const to = index + by;
  const [a, b] = [next[index], next[to]];
  if (a === undefined || b === undefined) return next;
  next[index] = b;
  next[to] = a;
  return next;
}

/**
 * The routing rules editor: each rule's channel, what it matches and what its thread gets, in
 * order; add, edit, delete (confirmed) and move up or down. Every enabled rule that matches an
 * incident posts its card (one incident can go to several channels); the default channel takes
 * incidents no rule matches.
 */
@Component({
  selector: 'nx-slack-routing-rules',
  imports: [MatButton, ProblemNotice, SlackRoutingRuleForm],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p class="intro">
      Every enabled rule that matches an incident posts its card to the rule's channel, so one incident can
      reach a team channel and a major-incident channel.
      @if (list(); as l) {
        @if (l.defaultChannel) {
          Incidents no rule matches go to <code>{{ l.defaultChannel }}</code> (SLACK_DEFAULT_CHANNEL).
        } @else {
          Incidents no rule matches are not posted (no SLACK_DEFAULT_CHANNEL).
        }
      }
    </p>
    @if (problem(); as p) {
      <nx-problem-notice [error]="p" />
    }
    @if (list(); as l) {
      @if (l.items.length) {
        <ol class="rules">
          @for (rule of l.items; track rule.id; let i = $index, first = $first, last = $last) {
            <li class="rule" [class.disabled]="!rule.enabled" [attr.data-rule]="rule.id">
              @if (editing() === rule.id) {
                <nx-slack-routing-rule-form
                  [rule]="rule"
                  (saved)="savedRule()"
                  (cancelled)="editing.set(null)"
                />
              } @else {
                <div class="summary">
                  <strong class="name">{{ rule.name }}</strong>
                  <code class="channel">{{ rule.channelId }}</code>
                  @if (rule.internal) {
                    <span class="tag">internal</span>
                  }
                  @if (!rule.enabled) {
                    <span class="tag">disabled</span>
                  }
                </div>
                <div class="match">{{ describeMatch(rule) }}</div>
                <div class="thread">Thread: {{ describeThread(rule) }}</div>
                <div class="buttons">
                  <button
                    mat-button
                    type="button"
                    (click)="editing.set(rule.id)"
                    [attr.aria-label]="'Edit ' + rule.name"
                  >
                    Edit
                  </button>
                  <button
                    mat-button
                    type="button"
                    [disabled]="first || busy()"
                    (click)="move(i, -1)"
                    [attr.aria-label]="'Move ' + rule.name + ' up'"
                  >
                    Up
                  </button>
                  <button
                    mat-button
                    type="button"
                    [disabled]="last || busy()"
                    (click)="move(i, 1)"
                    [attr.aria-label]="'Move ' + rule.name + ' down'"
                  >
                    Down
                  </button>
                  <button
                    mat-button
                    type="button"
                    class="delete"
                    [disabled]="busy()"
                    (click)="remove(rule)"
                    [attr.aria-label]="'Delete ' + rule.name"
                  >
                    Delete
                  </button>
                </div>
              }
            </li>
          }
        </ol>
      } @else {
        <p class="empty muted">No rules yet: every card goes to the default channel.</p>
      }
      @if (adding()) {
        <section class="new" aria-label="New routing rule">
          <nx-slack-routing-rule-form (saved)="savedRule()" (cancelled)="adding.set(false)" />
        </section>
      } @else {
        <button mat-stroked-button type="button" class="add" (click)="adding.set(true)">Add rule</button>
      }
    } @else if (loaded.error(); as error) {
      <nx-problem-notice [error]="error" />
    } @else {
      <p class="muted" role="status">Loading the routing rules…</p>
    }
  `,
  styles: `
    .intro {
      margin: 0 0 12px;
    }
    .rules {
      margin: 0 0 12px;
      padding: 0;
      list-style: none;
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
    .rule {
      padding: 8px 12px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: var(--mat-sys-corner-small);
      overflow-wrap: anywhere;
    }
    .rule.disabled .summary {
      opacity: 0.7;
    }
    .summary {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 4px 8px;
    }
    .tag {
      padding: 0 6px;
      border-radius: var(--mat-sys-corner-full);
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
      font: var(--mat-sys-label-small);
    }
    .match,
    .thread {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .buttons {
      display: flex;
      flex-wrap: wrap;
      gap: 0 4px;
      margin-top: 4px;
    }
    .delete {
      color: var(--mat-sys-error);
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class SlackRoutingRules {
  private readonly api = inject(SlackApi);
  private readonly dialog = inject(MatDialog);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly describeMatch = describeMatch;
  protected readonly describeThread = describeThread;

  protected readonly loaded = this.api.routes();
  /** The list as the last write returned it, until it is fetched again. */
  private readonly written = linkedSignal<unknown, ReturnType<typeof this.loaded.value> | undefined>({
    source: () => (this.loaded.hasValue() ? this.loaded.value() : undefined),
    computation: () => undefined,
  });
  protected readonly list = computed(
    () => this.written() ?? (this.loaded.hasValue() ? this.loaded.value() : undefined),
  );
  protected readonly editing = signal<string | null>(null);
  protected readonly adding = signal(false);
  protected readonly busy = signal(false);
  protected readonly problem = signal<Problem | null>(null);

  protected savedRule(): void {
    this.adding.set(false);
    this.editing.set(null);
    this.problem.set(null);
    this.loaded.reload();
  }

  protected move(index: number, by: -1 | 1): void {
    const list = this.list();
    if (!list || this.busy()) return;
    this.busy.set(true);
    this.problem.set(null);
    this.api
      .reorder(
        moved(
          list.items.map((r) => r.id),
          index,
          by,
        ),
      )
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (next) => {
          this.busy.set(false);
          this.written.set(next);
        },
        error: (e: unknown) => {
          this.busy.set(false);
          const problem = problemFrom(e);
          this.problem.set(problem);
          // Someone else added or deleted a rule meanwhile: show the list as it is now.
          if (problem.code === SLACK_ROUTE_ORDER_MISMATCH) this.loaded.reload();
        },
      });
  }

  protected remove(rule: SlackRoutingRuleView): void {
    ConfirmDialog.ask(this.dialog, {
      title: `Delete “${rule.name}”?`,
      message: `Incidents stop going to ${rule.channelId} through this rule. Cards already posted stay and keep being updated.`,
      confirmLabel: 'Delete rule',
      destructive: true,
    })
      .pipe(
        filter((yes) => yes),
        switchMap(() => {
          this.busy.set(true);
          return this.api.remove(rule.id);
        }),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe({
        next: () => {
          this.busy.set(false);
          this.problem.set(null);
          this.loaded.reload();
        },
        error: (e: unknown) => {
          this.busy.set(false);
          this.problem.set(problemFrom(e));
        },
      });
  }
}
