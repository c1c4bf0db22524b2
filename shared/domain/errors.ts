/**
 * Typed errors of the domain. Use cases throw these; the HTTP adapter (shared/adapters/http.ts) maps each to an RFC 9457
 * problem in one place, so no handler decides status codes on its own.
 */

/** One invalid input field, named by its JSON path (`payer.bin`). */
export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * The stable problem types of the domain's errors. The HTTP adapter maps each to a status in one table; the domain
 * knows nothing of HTTP.
 */
export type DomainErrorType =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'fx-rate-unavailable'
  | 'mrp-unavailable'
  | 'payer_not_licensed'
  | 'refund_destination_screened';

/** Base class: `type` is a stable problem type slug, `title` its short human title. */
export abstract class DomainError extends Error {
  abstract readonly type: DomainErrorType;
  abstract readonly title: string;
  /** Extra members of the problem (e.g. the licence status found), when the error carries any. */
  get details(): Record<string, unknown> | undefined {
    return undefined;
  }
}

/** The request is malformed or breaks a rule about its fields. */
export class ValidationError extends DomainError {
  readonly type = 'validation';
  readonly title = 'Invalid request';
  constructor(
    readonly issues: FieldIssue[],
    message = issues.map((i) => `${i.field}: ${i.message}`).join('; '),
  ) {
    super(message);
  }
}

/** No token, or a token that does not verify. */
export class UnauthorizedError extends DomainError {
  readonly type = 'unauthorized';
  readonly title = 'Authentication required';
}

/** Authenticated, but the role may not do this. */
export class ForbiddenError extends DomainError {
  readonly type = 'forbidden';
  readonly title = 'Forbidden';
}

/** Absent, or not visible to the caller: another ministry's invoice is "not found", never "forbidden". */
export class NotFoundError extends DomainError {
  readonly type = 'not-found';
  readonly title = 'Not found';
}

/** The request conflicts with the current state. */
export class ConflictError extends DomainError {
  readonly type = 'conflict';
  readonly title = 'Conflict';
}

/** A well-formed request the rules refuse for what it asks (e.g. a refund to an address money cannot return to). */
export class UnprocessableError extends DomainError {
  readonly type = 'unprocessable';
  readonly title = 'Unprocessable request';
}

/** The body exceeds the accepted size. */
export class PayloadTooLargeError extends DomainError {
  readonly type = 'payload-too-large';
  readonly title = 'Payload too large';
}

/** The body is not in a media type the route accepts. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly type = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}
