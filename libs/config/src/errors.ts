import { MobiusError } from '@mobius/contracts/errors';

/**
 * A configuration variable is missing or invalid. `variable` names it; the message never contains a
 * secret (URLs are masked before they reach it). Not retryable: the process must not start.
 */
export class ConfigError extends MobiusError {
  declare readonly code: 'CONFIG_INVALID';
  declare readonly retryable: false;

  constructor(
    readonly module: string,
    readonly variable: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('CONFIG_INVALID', `${module} config: ${variable} ${reason}`, false, options);
  }
}
