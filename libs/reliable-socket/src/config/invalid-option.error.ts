/** Thrown at startup when a module option is missing or malformed; the message names the option. */
export class InvalidOptionError extends Error {
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`ReliableSocketModule: invalid option "${option}": ${problem}`);
    this.name = 'InvalidOptionError';
  }
}
