/**
 * A message that can never be processed: unparseable, the wrong type, or invalid against its schema.
 * Not retryable, so the bus sends it to the dead-letter topic at once with this message as the reason.
 */
export class InvalidEventError extends Error {
  readonly code = 'EVENT_INVALID';
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidEventError';
  }
}
