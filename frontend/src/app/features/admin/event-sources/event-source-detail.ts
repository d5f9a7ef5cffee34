import { DatePipe, DOCUMENT } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  linkedSignal,
} from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Title } from '@angular/platform-browser';
import { Router, RouterLink } from '@angular/router';
import { filter, switchMap } from 'rxjs';

import { PRODUCT_NAME } from '../../../core/page-title-strategy';
import { Problem, problemFrom } from '../../../core/problem';
import { ConfirmDialog } from '../../../shared/confirm-dialog/confirm-dialog';
import { Icon } from '../../../shared/icon/icon';
import { IncidentMetadata } from '../../../shared/incident-rules/incident-metadata';
import { LEVEL_LABELS } from '../../../shared/incident-rules/priority';
import { PriorityBadge } from '../../../shared/incident-rules/priority-badge';
import { toastConfig } from '../../../shared/material-config';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { EventSourceView, SEVERITIES, SEVERITY_LABELS } from './event-source';
import { EventSourceDialog } from './event-source-dialog';
import { EventSourcesApi } from './event-sources-api';
import { SigningSecretDialog } from './signing-secret-dialog';
import { showSourceCredentials } from './source-credentials';
import { SourceCounts } from './source-counts';
import { SourceEnabledToggle } from './source-enabled-toggle';
import { SourceEvents } from './source-events';

/**
 * One event source: its settings and the actions on its credentials (edit, rotate the key, add,
 * rotate or remove the signing secret, delete), then its recent events with their status.
 */
@Component({
  selector: 'nx-event-source-detail',
  imports: [
    DatePipe,
    RouterLink,
    MatButton,
    Icon,
    PriorityBadge,
    ProblemNotice,
    SourceCounts,
    SourceEnabledToggle,
    SourceEvents,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  templateUrl: './event-source-detail.html',
  styleUrl: './event-source-detail.scss',
})
export class EventSourceDetail {
  private readonly api = inject(EventSourcesApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly router = inject(Router);
  private readonly origin = inject(DOCUMENT).location.origin;
  protected readonly metadata = inject(IncidentMetadata);

  /** Route parameter: the source's id. */
  readonly id = input.required<string>();

  protected readonly severities = SEVERITIES;
  protected readonly severityLabels = SEVERITY_LABELS;
  protected readonly levelLabels = LEVEL_LABELS;

  protected readonly loaded = this.api.source(() => this.id());
  /** The source as the last write returned it, until it is fetched again. */
  private readonly written = linkedSignal<unknown, EventSourceView | undefined>({
    source: () => (this.loaded.hasValue() ? this.loaded.value() : undefined),
    computation: () => undefined,
  });
  protected readonly source = computed(
    () => this.written() ?? (this.loaded.hasValue() ? this.loaded.value() : undefined),
  );
  protected readonly problem = linkedSignal<string, Problem | null>({
    source: this.id,
    computation: () => null,
  });

  constructor() {
    const title = inject(Title);
    effect(() => {
      const source = this.source();
      if (source) title.setTitle(`${source.name} · Event sources · ${PRODUCT_NAME}`);
    });
  }

  protected replace(source: EventSourceView): void {
    this.problem.set(null);
    this.written.set(source);
  }

  protected fail(problem: Problem): void {
    this.problem.set(problem);
  }

  /** After a replay the last day's counts change. */
  protected refresh(): void {
    this.loaded.reload();
  }

  protected edit(source: EventSourceView): void {
    this.problem.set(null);
    EventSourceDialog.open(this.dialog, { source }).subscribe((result) => {
      if (result?.kind === 'updated') {
        this.written.set(result.source);
        this.snackBar.open('Settings saved.', undefined, toastConfig());
      }
    });
  }

  protected rotateKey(source: EventSourceView): void {
    this.problem.set(null);
    ConfirmDialog.ask(this.dialog, {
      title: `Rotate the key of "${source.name}"?`,
      message:
        'A new integration key is made and shown once. The current key stops working at once: update every producer that uses it.',
      confirmLabel: 'Rotate key',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.rotateKey(source.id)),
      )
      .subscribe({
        next: (rotated) => {
          this.written.set(rotated.source);
          showSourceCredentials(this.dialog, {
            title: `New key for "${rotated.source.name}"`,
            source: rotated.source,
            origin: this.origin,
            integrationKey: rotated.integrationKey,
          });
        },
        error: (error: unknown) => {
          this.problem.set(problemFrom(error));
        },
      });
  }

  protected rotateSecret(source: EventSourceView): void {
    this.problem.set(null);
    SigningSecretDialog.ask(this.dialog, { sourceName: source.name, signed: source.signed })
      .pipe(
        filter((answer) => answer !== undefined),
        switchMap((answer) => this.api.rotateSecret(source.id, answer.signingSecret)),
      )
      .subscribe({
        next: (rotated) => {
          this.written.set(rotated.source);
          if (rotated.signingSecret) {
            showSourceCredentials(this.dialog, {
              title: `Signing secret for "${rotated.source.name}"`,
              source: rotated.source,
              origin: this.origin,
              signingSecret: rotated.signingSecret,
            });
          } else {
            this.snackBar.open('Signing secret saved.', undefined, toastConfig());
          }
        },
        error: (error: unknown) => {
          this.problem.set(problemFrom(error));
        },
      });
  }

  protected removeSecret(source: EventSourceView): void {
    this.problem.set(null);
    ConfirmDialog.ask(this.dialog, {
      title: `Stop signing "${source.name}"?`,
      message:
        'The signing secret is deleted; the integration key alone then authenticates its events. Signed requests still pass.',
      confirmLabel: 'Remove secret',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.update(source.id, { signed: false })),
      )
      .subscribe({
        next: (updated) => {
          this.written.set(updated);
          this.snackBar.open('Signing secret removed.', undefined, toastConfig());
        },
        error: (error: unknown) => {
          this.problem.set(problemFrom(error));
        },
      });
  }

  protected remove(source: EventSourceView): void {
    this.problem.set(null);
    ConfirmDialog.ask(this.dialog, {
      title: `Delete "${source.name}"?`,
      message:
        'Its integration key stops working at once and producers using it are refused. The events it sent stay in the log under its name.',
      confirmLabel: 'Delete source',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.remove(source.id)),
      )
      .subscribe({
        next: () => {
          this.snackBar.open(`"${source.name}" was deleted.`, undefined, toastConfig());
          void this.router.navigate(['/admin/event-sources']);
        },
        error: (error: unknown) => {
          this.problem.set(problemFrom(error));
        },
      });
  }
}
