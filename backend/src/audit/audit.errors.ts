import { DomainError } from '../common/errors/domain-error';

export enum AuditErrorCode {
  CursorInvalid = 'AUDIT_CURSOR_INVALID',
}

export const auditErrorStatus = {
  [AuditErrorCode.CursorInvalid]: 400,
} satisfies Record<AuditErrorCode, number>;

export class AuditError extends DomainError<AuditErrorCode> {
  get status(): number {
    return auditErrorStatus[this.code];
  }
}
