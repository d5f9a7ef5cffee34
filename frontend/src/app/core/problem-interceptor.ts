import { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { catchError, throwError } from 'rxjs';

import { ProblemError, toProblem } from './problem';

/**
 * Every failed API call surfaces as a `ProblemError` (an `Error` carrying the RFC 9457 fields),
 * so components branch on `problem.code` and never parse HTTP errors themselves.
 */
export const problemInterceptor: HttpInterceptorFn = (req, next) =>
  next(req).pipe(
    catchError((error: unknown) =>
      throwError(() => (error instanceof HttpErrorResponse ? new ProblemError(toProblem(error)) : error)),
    ),
  );
