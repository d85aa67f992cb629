/**
 * A configuration variable is missing or invalid. `variable` names it; the message never contains a
 * secret (URLs are masked before they reach it). Not retryable: the process must not start.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retryable = false;

  constructor(
    readonly module: string,
    readonly variable: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${module} config: ${variable} ${reason}`, options);
    this.name = 'ConfigError';
  }
}
