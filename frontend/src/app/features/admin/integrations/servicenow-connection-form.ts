import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import {
  AbstractControl,
  FormControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  ValidationErrors,
  ValidatorFn,
  Validators,
} from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatCheckbox } from '@angular/material/checkbox';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatRadioButton, MatRadioGroup } from '@angular/material/radio';
import { MatOption, MatSelect } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';

import { Problem, problemFrom } from '../../../core/problem';
import { required } from '../../../shared/form-rules';
import { Icon } from '../../../shared/icon/icon';
import {
  CloseCode,
  INCIDENT_STATES,
  IncidentState,
  STATE_LABELS,
} from '../../../shared/incident-rules/priority';
import { toastConfig } from '../../../shared/material-config';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { CloseCodeChoices } from '../../../shared/incident-rules/close-code-choices';
import {
  INTEGRATION_MANAGED_BY_ENVIRONMENT,
  ServiceNowApi,
  ServiceNowConnectionUpdate,
  ServiceNowConnectionView,
  ServiceNowGrant,
  ServiceNowMapping,
  MappedLevel,
  ServiceNowTestResult,
  VALIDATION_FAILED,
} from './servicenow-api';
import {
  CLOSE_CODES,
  completeMapping,
  DEFAULT_SERVICENOW_MAPPING,
  MAPPED_LEVEL_LABELS,
  MAPPED_LEVELS,
  SERVICENOW_LEVELS,
  SERVICENOW_STATES,
} from './servicenow-mapping';
import { SecretField } from './secret-field';
import { ServiceNowTestSteps } from './servicenow-test-steps';

type MappingTableName = keyof ServiceNowMapping;

/** One of the mapping's tables: our values (rows) → the instance's, chosen from `options` or typed. */
interface MappingTable {
  readonly name: MappingTableName;
  readonly caption: string;
  readonly ours: string;
  readonly theirs: string;
  readonly rows: readonly { readonly key: string; readonly label: string }[];
  /** null: a free text field (close codes when the instance's list is not known). */
  readonly options: readonly MappingOption[] | null;
}

interface MappingOption {
  readonly code: string;
  readonly text: string;
  /** A value the mapping holds that the instance does not offer. */
  readonly missing?: boolean;
}

const codeOptions = (options: readonly { code: string; label: string }[]): MappingOption[] =>
  options.map((o) => ({ code: o.code, text: `${o.code} · ${o.label}` }));
const LEVEL_ROWS = MAPPED_LEVELS.map((level) => ({
  key: level,
  label: `${level} · ${MAPPED_LEVEL_LABELS[level]}`,
}));

/** The mapping's tables; the close codes' options come from the instance (see `mappingTables`). */
const MAPPING_TABLES: readonly [MappingTable, MappingTable, MappingTable, MappingTable] = [
  {
    name: 'states',
    caption: 'States: ours to ServiceNow',
    ours: 'Our state',
    theirs: 'ServiceNow state',
    rows: INCIDENT_STATES.map((state) => ({ key: state, label: STATE_LABELS[state] })),
    options: codeOptions(SERVICENOW_STATES),
  },
  {
    name: 'closeCodes',
    caption: 'Close codes: ours to ServiceNow',
    ours: 'Our close code',
    theirs: 'ServiceNow close code',
    rows: CLOSE_CODES.map((code) => ({ key: code, label: code })),
    options: null,
  },
  {
    name: 'impact',
    caption: 'Impact: ours to ServiceNow',
    ours: 'Our impact',
    theirs: 'ServiceNow impact',
    rows: LEVEL_ROWS,
    options: codeOptions(SERVICENOW_LEVELS),
  },
  {
    name: 'urgency',
    caption: 'Urgency: ours to ServiceNow',
    ours: 'Our urgency',
    theirs: 'ServiceNow urgency',
    rows: LEVEL_ROWS,
    options: codeOptions(SERVICENOW_LEVELS),
  },
];

/** The secrets the API never returns: the form shows whether each is set and takes a replacement. */
export type SecretName = 'clientSecret' | 'password' | 'webhookSecret';

/** The instance's address, without a path (https://acme.service-now.com); empty is left to `required`. */
export function instanceUrlRule(control: AbstractControl): ValidationErrors | null {
  const value = String(control.value ?? '')
    .trim()
    .replace(/\/+$/, '');
  return !value || /^https?:\/\/[^\s/]+$/.test(value) ? null : { url: true };
}

export const WEBHOOK_SECRET_MIN = 16;
export const WEBHOOK_SECRET_MAX = 256;

/** Required unless `stored()` says the API already holds a value (a secret left empty is kept). */
function requiredUnless(stored: () => boolean): ValidatorFn {
  return (control) => (stored() ? null : required(control));
}

/** Only when the grant is `password` (username and password); `stored` as above. */
function requiredForPasswordGrant(stored: () => boolean): ValidatorFn {
  return (control) => {
    const grant = control.parent?.get('grant')?.value as ServiceNowGrant | undefined;
    return grant === 'password' && !stored() ? required(control) : null;
  };
}

/**
 * The ServiceNow connection's settings: the instance, the OAuth grant and client, the secrets
 * (write-only: "Set" or "Not set" and a field to replace them), the default assignment group and
 * how our states and close codes map onto the instance's. Saving is a PUT of the whole
 * connection; when the server's environment sets it, everything is read-only here. "Test
 * connection" runs the API's checks on the saved connection and shows each step.
 */
@Component({
  selector: 'nx-servicenow-connection-form',
  imports: [
    DatePipe,
    ReactiveFormsModule,
    MatButton,
    MatCheckbox,
    MatFormField,
    MatLabel,
    MatError,
    MatHint,
    MatInput,
    MatRadioGroup,
    MatRadioButton,
    MatSelect,
    MatOption,
    Icon,
    ProblemNotice,
    SecretField,
    ServiceNowTestSteps,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './servicenow-connection-form.html',
  styleUrl: './servicenow-connection-form.scss',
})
export class ServiceNowConnectionForm {
  private readonly api = inject(ServiceNowApi);
  private readonly snackBar = inject(MatSnackBar);
  private readonly fb = inject(NonNullableFormBuilder);

  /** The connection as the API last showed it. */
  readonly connection = input.required<ServiceNowConnectionView>();
  /** The API accepted the settings: the connection as it is now. */
  readonly saved = output<ServiceNowConnectionView>();
  /** The API said the environment sets the connection: load it again to show it read-only. */
  readonly managedElsewhere = output();

  protected readonly webhookSecretMin = WEBHOOK_SECRET_MIN;

  /** Which secrets the API holds (validators run before the input is set, so not read from it). */
  private readonly stored = { clientSecret: false, password: false };

  protected readonly readOnly = computed(() => this.connection().source === 'environment');

  protected readonly form = this.fb.group({
    instanceUrl: ['', [required, instanceUrlRule]],
    grant: this.fb.control<ServiceNowGrant>('password'),
    clientId: ['', required],
    clientSecret: ['', requiredUnless(() => this.stored.clientSecret)],
    username: ['', requiredForPasswordGrant(() => false)],
    password: ['', requiredForPasswordGrant(() => this.stored.password)],
    webhookSecret: ['', [Validators.minLength(WEBHOOK_SECRET_MIN), Validators.maxLength(WEBHOOK_SECRET_MAX)]],
    defaultAssignmentGroup: [''],
    assignmentGroups: ['', assignmentGroupLinesRule],
    enabled: [true],
    mapping: this.fb.group({
      states: this.fb.group(
        Object.fromEntries(INCIDENT_STATES.map((state) => [state, this.fb.control('', required)])) as Record<
          IncidentState,
          FormControl<string>
        >,
      ),
      closeCodes: this.fb.group(
        Object.fromEntries(
          CLOSE_CODES.map((code) => [code, this.fb.control('', [required, Validators.maxLength(100)])]),
        ) as Record<CloseCode, FormControl<string>>,
      ),
      impact: this.levelGroup(),
      urgency: this.levelGroup(),
    }),
  });

  protected readonly grant = toSignal(this.form.controls.grant.valueChanges, {
    initialValue: this.form.controls.grant.value,
  });
  private readonly formValue = toSignal(this.form.valueChanges, { initialValue: this.form.getRawValue() });
  /** Whether the form differs from what was loaded (the test runs on the saved connection). */
  protected readonly changed = computed(() => {
    this.formValue();
    return this.form.dirty;
  });

  /** The instance's close codes (sys_choice), or ours when it is not connected; reloaded after a save. */
  private readonly choices = inject(CloseCodeChoices).load();
  protected readonly closeCodeChoices = computed(() =>
    this.choices.hasValue() ? this.choices.value() : undefined,
  );
  /** The close code values the mapping holds that the instance does not offer. */
  private readonly closeCodesNotOnInstance = computed<readonly string[]>(
    () => {
      const choices = this.closeCodeChoices();
      if (choices?.source !== 'servicenow') return [];
      const offered = new Set(choices.choices.map((c) => c.value));
      const mapped = Object.values<string>(this.formValue().mapping?.closeCodes ?? {});
      return [...new Set(mapped)].filter((value) => value !== '' && !offered.has(value)).sort();
    },
    { equal: (a, b) => a.length === b.length && a.every((value, i) => value === b[i]) },
  );
  protected readonly missingCloseCodes = computed(() => this.closeCodesNotOnInstance().length > 0);

  /** States, close codes, impact, urgency: one table each, the same markup. */
  protected readonly mappingTables = computed<readonly MappingTable[]>(() => {
    const choices = this.closeCodeChoices();
    const closeCodeOptions =
      choices?.source === 'servicenow'
        ? [
            ...choices.choices.map((c) => ({
              code: c.value,
              text: c.label === c.value ? c.value : `${c.label} (${c.value})`,
            })),
            ...this.closeCodesNotOnInstance().map((value) => ({
              code: value,
              text: `${value} (not on the instance)`,
              missing: true,
            })),
          ]
        : null;
    const [states, closeCodes, impact, urgency] = MAPPING_TABLES;
    return [states, { ...closeCodes, options: closeCodeOptions }, impact, urgency];
  });

  protected readonly busy = signal(false);
  protected readonly problem = signal<Problem | null>(null);
  protected readonly testing = signal(false);
  protected readonly testResult = signal<ServiceNowTestResult | null>(null);
  protected readonly testProblem = signal<Problem | null>(null);

  constructor() {
    // A new connection from the API (first load, after a save) resets the form to it.
    effect(() => {
      const connection = this.connection();
      untracked(() => {
        this.reset(connection);
        // Another instance, or another mapping: its close codes again (the first load is the resource's own).
        if (!this.choices.isLoading() && (this.choices.hasValue() || this.choices.error()))
          this.choices.reload();
      });
    });
    // Username and password matter for the password grant only.
    this.form.controls.grant.valueChanges.subscribe(() => {
      this.form.controls.username.updateValueAndValidity();
      this.form.controls.password.updateValueAndValidity();
    });
  }

  /** What a secret field says about the stored value. */
  protected secretSet(field: SecretName): boolean {
    const connection = this.connection();
    switch (field) {
      case 'clientSecret':
        return connection.hasClientSecret;
      case 'password':
        return connection.hasPassword;
      case 'webhookSecret':
        return connection.hasWebhookSecret;
    }
  }

  /** A control of the mapping's table `table` (our value `key`). */
  protected mappingControl(table: MappingTableName, key: string): AbstractControl {
    const control = this.form.controls.mapping.get([table, key]);
    if (!control) throw new Error(`no mapping control ${table}.${key}`);
    return control;
  }

  /** The message the API's `VALIDATION_FAILED` gave for this control, if any. */
  protected serverError(control: AbstractControl): string | null {
    const error: unknown = control.getError('server');
    return typeof error === 'string' ? error : null;
  }

  protected resetMapping(): void {
    this.form.controls.mapping.setValue(structuredClone(DEFAULT_SERVICENOW_MAPPING));
    this.form.controls.mapping.markAsDirty();
  }

  protected submit(): void {
    if (this.busy() || this.readOnly()) return;
    this.form.updateValueAndValidity();
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.problem.set(null);
    this.api.save(this.update()).subscribe({
      next: (connection) => {
        this.busy.set(false);
        this.testResult.set(null);
        this.snackBar.open('ServiceNow settings saved.', undefined, toastConfig());
        this.saved.emit(connection);
      },
      error: (error: unknown) => {
        this.busy.set(false);
        const problem = problemFrom(error);
        this.problem.set(problem);
        if (problem.code === VALIDATION_FAILED) this.markFieldErrors(problem);
        if (problem.code === INTEGRATION_MANAGED_BY_ENVIRONMENT) this.managedElsewhere.emit();
      },
    });
  }

  protected test(): void {
    if (this.testing()) return;
    this.testing.set(true);
    this.testResult.set(null);
    this.testProblem.set(null);
    this.api.test().subscribe({
      next: (result) => {
        this.testing.set(false);
        this.testResult.set(result);
      },
      error: (error: unknown) => {
        this.testing.set(false);
        this.testProblem.set(problemFrom(error));
      },
    });
  }

  private levelGroup() {
    return this.fb.group(
      Object.fromEntries(MAPPED_LEVELS.map((level) => [level, this.fb.control('', required)])) as Record<
        MappedLevel,
        FormControl<string>
      >,
    );
  }

  private reset(connection: ServiceNowConnectionView): void {
    this.problem.set(null);
    this.stored.clientSecret = connection.hasClientSecret;
    this.stored.password = connection.hasPassword;
    this.form.reset({
      instanceUrl: connection.instanceUrl ?? '',
      grant: connection.grant,
      clientId: connection.clientId ?? '',
      clientSecret: '',
      username: connection.username ?? '',
      password: '',
      webhookSecret: '',
      defaultAssignmentGroup: connection.defaultAssignmentGroup ?? '',
      assignmentGroups: assignmentGroupLines(connection.assignmentGroups),
      enabled: connection.configured ? connection.enabled : true,
      mapping: completeMapping(connection.mapping),
    });
    if (connection.source === 'environment') {
      this.form.disable();
    } else {
      this.form.enable();
    }
  }

  /** The form as the API takes it: trimmed, empty optional fields null, empty secrets left out. */
  private update(): ServiceNowConnectionUpdate {
    const value = this.form.getRawValue();
    const secrets: Partial<Record<SecretName, string>> = {};
    for (const field of ['clientSecret', 'password', 'webhookSecret'] as const) {
      if (field === 'password' && value.grant !== 'password') continue;
      if (value[field]) secrets[field] = value[field];
    }
    return {
      instanceUrl: value.instanceUrl.trim().replace(/\/+$/, ''),
      grant: value.grant,
      clientId: value.clientId.trim(),
      username: value.grant === 'password' ? value.username.trim() : null,
      defaultAssignmentGroup: value.defaultAssignmentGroup.trim() || null,
      assignmentGroups: parseAssignmentGroups(value.assignmentGroups) ?? {},
      mapping: {
        states: trimmed(value.mapping.states),
        closeCodes: trimmed(value.mapping.closeCodes),
        impact: value.mapping.impact,
        urgency: value.mapping.urgency,
      },
      enabled: value.enabled,
      ...secrets,
    };
  }

  /** `VALIDATION_FAILED` names fields by their path in the body (`instanceUrl`, `mapping.states.new`). */
  private markFieldErrors(problem: Problem): void {
    for (const { field, message } of problem.errors ?? []) {
      const control = this.form.get(field);
      if (!control) continue;
      control.setErrors({ ...control.errors, server: message });
      control.markAsTouched();
    }
  }
}

function trimmed<K extends string>(codes: Record<K, string>): Record<K, string> {
  return Object.fromEntries(Object.entries<string>(codes).map(([key, code]) => [key, code.trim()])) as Record<
    K,
    string
  >;
}

const SYS_ID = /^[0-9a-f]{32}$/i;

/** `{ "Network Operations": "287e…" }` as the text area shows it: one `name = sys_id` per line. */
export function assignmentGroupLines(groups: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(groups ?? {})
    .map(([name, sysId]) => `${name} = ${sysId}`)
    .join('\n');
}

/** The text area's lines as the API takes them; null when a line is not `name = sys_id`. */
export function parseAssignmentGroups(text: string): Record<string, string> | null {
  const groups: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const at = line.lastIndexOf('=');
    const name = line.slice(0, Math.max(at, 0)).trim();
    const sysId = line.slice(at + 1).trim();
    if (at <= 0 || !name || name.length > 100 || !SYS_ID.test(sysId)) return null;
    groups[name] = sysId.toLowerCase();
  }
  return groups;
}

function assignmentGroupLinesRule(control: AbstractControl<string>): ValidationErrors | null {
  return parseAssignmentGroups(control.value) === null ? { assignmentGroups: true } : null;
}
