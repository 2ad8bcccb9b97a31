import { describe, expect, it } from 'vitest';
import { BayesbenchError, ConfigError, DataError, NotFoundError } from '../src/errors.js';

describe('errors', () => {
  it('map to HTTP status by type', () => {
    expect(new DataError('x').status).toBe(400);
    expect(new ConfigError('x').status).toBe(400);
    expect(new NotFoundError('x').status).toBe(404);
    expect(new DataError('x')).toBeInstanceOf(BayesbenchError);
    expect(new DataError('bad row').message).toBe('bad row');
  });
});
