import { httpResource } from '@angular/common/http';
import { computed, Injectable } from '@angular/core';

import { ApiSchema } from '../../core/api/api-schema';
import { CloseCode, IncidentState, Level, Priority } from './priority';

export type IncidentMetadataView = ApiSchema<'IncidentMetadataView'>;
export const INCIDENT_METADATA_URL = '/api/incidents/metadata';

/**
 * The incident rules as the API enforces them (`GET /api/incidents/metadata`): which state may
 * follow which, the close codes, the priority matrix. Loaded once per visit, by the first page
 * that needs it (the browser revalidates it with its ETag next time); until it has arrived the
 * answers are empty or undefined, and pages show nothing that depends on them.
 */
@Injectable({ providedIn: 'root' })
export class IncidentMetadata {
  private readonly resource = httpResource<IncidentMetadataView>(() => INCIDENT_METADATA_URL);
  private readonly rules = computed(() => (this.resource.hasValue() ? this.resource.value() : undefined));
  private readonly states = computed(() => new Map(this.rules()?.states.map((rule) => [rule.state, rule])));

  /** Why the rules could not be loaded, if they could not. */
  readonly error = computed(() => this.resource.error());
  readonly closeCodes = computed<readonly CloseCode[]>(() => this.rules()?.closeCodes ?? []);

  /** The states an incident in `state` may move to. */
  nextStates(state: IncidentState): readonly IncidentState[] {
    return this.states().get(state)?.next ?? [];
  }

  /** Whether an incident in `state` is still being worked (its SLA runs). */
  isOpen(state: IncidentState): boolean | undefined {
    return this.states().get(state)?.open;
  }

  /** Whether nothing can follow `state` (closed, canceled): the incident cannot change any more. */
  isFinal(state: IncidentState): boolean | undefined {
    const next = this.states().get(state)?.next;
    return next === undefined ? undefined : next.length === 0;
  }

  /** The priority the API derives from impact and urgency. */
  priorityOf(impact: Level, urgency: Level): Priority | undefined {
    return this.rules()?.priorityMatrix.find((rule) => rule.impact === impact && rule.urgency === urgency)
      ?.priority;
  }
}
