import {
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
  linkedSignal,
  output,
  signal,
} from '@angular/core';
import { MatAutocomplete, MatAutocompleteTrigger } from '@angular/material/autocomplete';
import { MatButtonToggle, MatButtonToggleGroup } from '@angular/material/button-toggle';
import { MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatOption, MatSelect } from '@angular/material/select';

import type { Bucket } from './analytics-api';
import {
  addDays,
  type AnalyticsQuery,
  BUCKET_LABELS,
  BUCKETS,
  bucketAllowed,
  browserTimeZone,
  customRangeProblem,
  localDate,
  MAX_DAYS,
  PRIORITIES,
  type Priority,
  priorityLabel,
  RANGE_LABELS,
  type RangeChoice,
  rangeDays,
  RANGES,
  timeZones,
  withRange,
} from './analytics-query';

/** Zones listed at once in the search's drop-down (the full list is ~400). */
const ZONES_SHOWN = 50;

/**
 * The dashboard's selectors: range (presets or custom dates), bucket (the ones the API rejects for
 * the range are disabled), priority and time zone (the browser's, UTC, or any zone by search).
 * Emits the whole next query; the page keeps it in the URL.
 */
@Component({
  selector: 'nx-analytics-filters',
  imports: [
    MatAutocomplete,
    MatAutocompleteTrigger,
    MatButtonToggle,
    MatButtonToggleGroup,
    MatFormField,
    MatHint,
    MatInput,
    MatLabel,
    MatOption,
    MatSelect,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { role: 'search', 'aria-label': 'Analytics filters' },
  template: `
    <mat-form-field appearance="outline" subscriptSizing="dynamic">
      <mat-label>Range</mat-label>
      <mat-select [value]="query().range" (selectionChange)="chooseRange($event.value)">
        @for (r of ranges; track r) {
          <mat-option [value]="r">{{ rangeLabels[r] }}</mat-option>
        }
      </mat-select>
    </mat-form-field>
    @if (query().range === 'custom') {
      <div class="custom">
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>From</mat-label>
          <input
            matInput
            type="date"
            [value]="from()"
            (change)="from.set(fromInput.value); applyDates()"
            #fromInput
          />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>To</mat-label>
          <input
            matInput
            type="date"
            [value]="to()"
            (change)="to.set(toInput.value); applyDates()"
            #toInput
          />
          @if (datesProblem(); as problem) {
            <mat-hint class="problem" role="alert">{{ problem }}</mat-hint>
          }
        </mat-form-field>
      </div>
    }
    <div class="bucket">
      <span class="bucket-label" id="bucket-label">Bucket</span>
      <mat-button-toggle-group
        aria-labelledby="bucket-label"
        hideSingleSelectionIndicator
        [value]="query().bucket"
        (change)="chooseBucket($event.value)"
      >
        @for (b of buckets; track b) {
          <mat-button-toggle
            [value]="b"
            [disabled]="!allowed(b)"
            [attr.title]="allowed(b) ? null : 'Hour buckets span at most ' + maxHourDays + ' days'"
            >{{ bucketLabels[b] }}</mat-button-toggle
          >
        }
      </mat-button-toggle-group>
    </div>
    <mat-form-field appearance="outline" subscriptSizing="dynamic">
      <mat-label>Priority</mat-label>
      <mat-select [value]="query().priority ?? 0" (selectionChange)="choosePriority($event.value)">
        <mat-option [value]="0">All priorities</mat-option>
        @for (p of priorities; track p) {
          <mat-option [value]="p">{{ priorityLabel(p) }}</mat-option>
        }
      </mat-select>
    </mat-form-field>
    <mat-form-field appearance="outline" subscriptSizing="dynamic" class="zone">
      <mat-label>Time zone</mat-label>
      <input
        matInput
        type="text"
        autocomplete="off"
        spellcheck="false"
        [matAutocomplete]="zoneList"
        [value]="zoneText()"
        (input)="zoneText.set(zoneInput.value)"
        (blur)="restoreZone()"
        #zoneInput
      />
      <mat-autocomplete #zoneList="matAutocomplete" (optionSelected)="chooseZone($event.option.value)">
        @for (z of zoneOptions(); track z.value) {
          <mat-option [value]="z.value">{{ z.label }}</mat-option>
        }
      </mat-autocomplete>
    </mat-form-field>
  `,
  styles: `
    :host {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: center;
      margin-bottom: 16px;
    }
    mat-form-field {
      width: 12rem;
      max-width: 100%;
    }
    .zone {
      width: 15rem;
    }
    .custom {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      max-width: 100%;
    }
    .bucket {
      display: flex;
      align-items: center;
      gap: 8px;
    }
    .bucket-label {
      font: var(--mat-sys-label-large);
      color: var(--mat-sys-on-surface-variant);
    }
    .problem {
      color: var(--mat-sys-error);
    }
    @media (max-width: 599px) {
      mat-form-field,
      .zone,
      .custom,
      .custom mat-form-field {
        width: 100%;
      }
    }
  `,
})
export class AnalyticsFilters {
  readonly query = input.required<AnalyticsQuery>();
  readonly queryChange = output<AnalyticsQuery>();

  protected readonly ranges = RANGES;
  protected readonly rangeLabels = RANGE_LABELS;
  protected readonly buckets = BUCKETS;
  protected readonly bucketLabels = BUCKET_LABELS;
  protected readonly priorities = PRIORITIES;
  protected readonly priorityLabel = priorityLabel;
  protected readonly maxHourDays = MAX_DAYS.hour;

  /** The custom dates as typed, applied once both make a valid range. */
  protected readonly from = linkedSignal(() => this.query().from);
  protected readonly to = linkedSignal(() => this.query().to);
  protected readonly datesProblem = signal<string | null>(null);

  private readonly browserZone = browserTimeZone();
  private readonly allZones = timeZones();
  protected readonly zoneText = linkedSignal(() => this.query().tz);
  protected readonly zoneOptions = computed(() => {
    const text = this.zoneText().trim().toLowerCase();
    const first = [
      { value: this.browserZone, label: `Browser (${this.browserZone})` },
      ...(this.browserZone === 'UTC' ? [] : [{ value: 'UTC', label: 'UTC' }]),
    ];
    // The field shows the chosen zone: list everything until the user types something else.
    const searching = text !== '' && text !== this.query().tz.toLowerCase();
    const matches = this.allZones
      .filter(
        (z) =>
          z !== 'UTC' && (!searching || z.toLowerCase().replace(/_/g, ' ').includes(text.replace(/_/g, ' '))),
      )
      .slice(0, ZONES_SHOWN)
      .map((z) => ({ value: z, label: z }));
    return [...(searching ? first.filter((o) => o.label.toLowerCase().includes(text)) : first), ...matches];
  });

  protected allowed(bucket: Bucket): boolean {
    return bucketAllowed(bucket, this.query());
  }

  protected chooseRange(range: RangeChoice): void {
    const q = this.query();
    if (range === 'custom') {
      // Start the custom range from what the preset showed, so the user adjusts rather than retypes.
      const to = localDate(new Date(), q.tz);
      this.queryChange.emit(withRange(q, range, addDays(to, -((rangeDays(q) ?? 30) - 1)), to));
      return;
    }
    this.queryChange.emit(withRange(q, range));
  }

  protected applyDates(): void {
    const problem = customRangeProblem(this.from(), this.to());
    this.datesProblem.set(problem);
    if (problem === null) this.queryChange.emit(withRange(this.query(), 'custom', this.from(), this.to()));
  }

  protected chooseBucket(bucket: Bucket): void {
    if (this.allowed(bucket)) this.queryChange.emit({ ...this.query(), bucket });
  }

  protected choosePriority(value: Priority | 0): void {
    this.queryChange.emit({ ...this.query(), priority: value === 0 ? null : value });
  }

  protected chooseZone(tz: string): void {
    this.zoneText.set(tz);
    this.queryChange.emit({ ...this.query(), tz });
  }

  /** Leaving the field without choosing puts the zone in force back. */
  protected restoreZone(): void {
    // After the autocomplete's own selection, which comes on mousedown → click after the blur.
    setTimeout(() => {
      if (!this.allZones.includes(this.zoneText()) && this.zoneText() !== this.browserZone) {
        this.zoneText.set(this.query().tz);
      }
    }, 200);
  }
}
