import { DomainError } from '../common/errors/domain-error';

export enum IncidentErrorCode {
  NotFound = 'INCIDENT_NOT_FOUND',
  StaleVersion = 'INCIDENT_STALE_VERSION',
  IllegalTransition = 'INCIDENT_ILLEGAL_TRANSITION',
  CloseFieldsRequired = 'INCIDENT_CLOSE_FIELDS_REQUIRED',
  AssigneeUnknown = 'INCIDENT_ASSIGNEE_UNKNOWN',
  CursorInvalid = 'INCIDENT_CURSOR_INVALID',
  VersionHeaderInvalid = 'INCIDENT_VERSION_HEADER_INVALID',
}

export const incidentErrorStatus = {
  [IncidentErrorCode.NotFound]: 404,
  [IncidentErrorCode.StaleVersion]: 409,
  [IncidentErrorCode.IllegalTransition]: 409,
  [IncidentErrorCode.CloseFieldsRequired]: 422,
  [IncidentErrorCode.AssigneeUnknown]: 422,
  [IncidentErrorCode.CursorInvalid]: 400,
  [IncidentErrorCode.VersionHeaderInvalid]: 400,
} satisfies Record<IncidentErrorCode, number>;

export class IncidentError extends DomainError<IncidentErrorCode> {
  get status(): number {
    return incidentErrorStatus[this.code];
  }
}
