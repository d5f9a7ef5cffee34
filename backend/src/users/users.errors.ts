import { DomainError } from '../common/errors/domain-error';

export enum UserErrorCode {
  NotFound = 'USER_NOT_FOUND',
  EmailTaken = 'USER_EMAIL_TAKEN',
  LastAdmin = 'USER_LAST_ADMIN',
  PasswordPolicy = 'AUTH_PASSWORD_POLICY',
}

export const userErrorStatus = {
  [UserErrorCode.NotFound]: 404,
  [UserErrorCode.EmailTaken]: 409,
  [UserErrorCode.LastAdmin]: 409,
  [UserErrorCode.PasswordPolicy]: 422,
} satisfies Record<UserErrorCode, number>;

export class UserError extends DomainError<UserErrorCode> {
  get status(): number {
    return userErrorStatus[this.code];
  }
}
