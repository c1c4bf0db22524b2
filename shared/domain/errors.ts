/**
 * Typed errors of the domain. Use cases throw these; the HTTP adapter (shared/adapters/http.ts) maps each to an RFC 9457
 * problem in one place, so no handler decides status codes on its own.
 */

/** One invalid input field, named by its JSON path (`payer.bin`). */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Base class: `status` is the HTTP status the error maps to; `type` a stable problem type slug. */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
}

/** The request is malformed or breaks a rule about its fields (400). */
export class ValidationError extends DomainError {
  readonly status = 400;
  readonly type = 'validation';
  readonly title = 'Invalid request';
  constructor(
    readonly issues: FieldIssue[],
    message = issues.map((i) => `${i.field}: ${i.message}`).join('; '),
  ) {
    super(message);
  }
}

/** No token, or a token that does not verify (401). */
export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Authentication required';
}

/** Authenticated, but the role may not do this (403). */
export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Forbidden';
}

/** Absent, or not visible to the caller: another ministry's invoice is "not found", never "forbidden" (404). */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not found';
}

/** The request conflicts with the current state (409). */
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Conflict';
}

/** The body exceeds the accepted size (413). */
export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'Payload too large';
}

/** The body is not in a media type the route accepts (415). */
export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}
