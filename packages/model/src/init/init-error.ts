/**
 * `model init` cannot write a spec from this model and sample: the message says
 * what it found and what to change (a flag, a column). Never reaches HTTP: it
 * is raised by the command line, before anything is served.
 */
export class ModelInitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelInitError';
  }
}
