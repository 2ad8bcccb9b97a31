/**
 * Typed errors thrown at the boundaries (CSV, formula, config, HTTP). Messages are short and name the
 * input, the row, the column or the character position; the CLI prints them and exits 2, the web app
 * answers 400 (404 for NotFoundError) with the same words. Numeric code never throws these in the
 * sampler's hot path.
 *
 * @example
 * throw new DataError('scores.csv: line 4, column "score": "abc" is not a number');
 */
export class BayesbenchError extends Error {
  /** Machine-readable code, e.g. 'data', 'formula', 'config', 'not_found'. */
  readonly code: string;
  /** HTTP status the web app answers with. */
  readonly status: number;
  constructor(message: string, code = 'bayesbench', status = 400) {
    super(message);
    this.name = 'BayesbenchError';
    this.code = code;
    this.status = status;
  }
}

/** Bad input data: CSV syntax, missing columns, non-numeric values... */
export class DataError extends BayesbenchError {
  constructor(message: string) {
    super(message, 'data', 400);
    this.name = 'DataError';
  }
}

/** A model formula or prior that cannot be parsed or does not fit the data. */
export class FormulaError extends BayesbenchError {
  constructor(message: string) {
    super(message, 'formula', 400);
    this.name = 'FormulaError';
  }
}

/** An option out of range or of the wrong type (names the option). */
export class ConfigError extends BayesbenchError {
  constructor(message: string) {
    super(message, 'config', 400);
    this.name = 'ConfigError';
  }
}

/** An unknown id or file. */
export class NotFoundError extends BayesbenchError {
  constructor(message: string) {
    super(message, 'not_found', 404);
    this.name = 'NotFoundError';
  }
}

/** The sampler could not start: no finite initial point, improper posterior, cancelled run. */
export class SamplerError extends BayesbenchError {
  constructor(message: string) {
    super(message, 'sampler', 422);
    this.name = 'SamplerError';
  }
}

/**
 * A fit that went over a stated resource limit (the fit worker's memory, the size of its stored
 * documents): the fit fails with this message, the server goes on.
 */
export class ResourceError extends BayesbenchError {
  constructor(message: string) {
    super(message, 'resources', 422);
    this.name = 'ResourceError';
  }
}

/** The fit queue is full (the web app answers 429 Too Many Requests; retry once fits have ended). */
export class QueueFullError extends BayesbenchError {
  constructor(message: string) {
    super(message, 'queue_full', 429);
    this.name = 'QueueFullError';
  }
}

/** A database file that cannot be used: unopenable, corrupt, or of a newer schema (CLI exit 2). */
export class DatabaseError extends BayesbenchError {
  constructor(message: string) {
    super(message, 'database', 500);
    this.name = 'DatabaseError';
  }
}

/** Where in a run a model threw (1-based chain and iteration, as the progress lines print them). */
export interface ModelErrorPlace {
  chain?: number;
  phase?: 'initialization' | 'warmup' | 'sampling';
  iteration?: number;
}

/**
 * The model's own code threw (logDensityGradient or writeVariables): sample() rejects with this,
 * carrying the model's message and where it happened (in-process, `cause` is the thrown value).
 * Returning -Infinity or NaN is not an error (off support, a divergence).
 *
 * @example
 * // chain 2, sampling iteration 17: the model threw: RangeError: index out of range
 * err instanceof ModelError && err.place.chain === 2
 */
export class ModelError extends SamplerError {
  readonly place: ModelErrorPlace;
  /** The model's own message (err.message also says where). */
  readonly modelMessage: string;
  constructor(message: string, modelMessage: string, place: ModelErrorPlace = {}, cause?: unknown) {
    super(message);
    this.name = 'ModelError';
    this.place = place;
    this.modelMessage = modelMessage;
    if (cause !== undefined) this.cause = cause;
  }
}
