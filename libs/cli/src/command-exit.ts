/**
 * Ends a command with an exit code other than 0 or 1, or with 1 but no error line (`mobius resync
 * --check` exits like diff: 1 = drift found, 2 = could not check). `message`, when given, is printed
 * as the error line.
 */
export class CommandExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
    this.name = 'CommandExit';
  }
}
