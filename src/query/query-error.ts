/** A query the engine cannot run as asked: the API answers 400 with `detail` naming `attr`. */
export class InvalidQueryError extends Error {
  constructor(message: string, readonly attr?: string) {
    super(message);
  }
}
