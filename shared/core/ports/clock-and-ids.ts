/** Time and identity are passed in, so use-case tests can pin them. */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new id with a readable prefix, e.g. `con_…`, `prv_…`, `int_…`. */
  next(prefix: string): string;
}
