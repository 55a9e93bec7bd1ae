/** Errors of the collector framework whose message is meant for the operator. */
import { ExpectedError } from '../lib/errors';

/** Parsers throw this for output they do not recognise. */
export class UnexpectedOutputError extends ExpectedError {
  static override readonly kind: string = 'UnexpectedOutputError';
  constructor(source: string, text: string) {
    const shown = text.length > 120 ? `${text.slice(0, 120)}...` : text;
    super(`unexpected output from ${source}: ${JSON.stringify(shown)}`);
  }
}

/** The hardware reported something a collector cannot keep (the same series twice). */
export class CollectorDataError extends ExpectedError {
  static override readonly kind: string = 'CollectorDataError';
}
