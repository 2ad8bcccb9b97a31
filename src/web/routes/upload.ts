import type { RequestHandler } from 'express';
import multer from 'multer';
import { DataError } from '../../errors.js';
import { bounded } from '../messages.js';
import { LIMITS } from '../requests.js';

/**
 * Multer with memory storage (nothing touches the disk) and the upload limits.
 * @example router.post('/datasets', upload.single('file'), handler)
 */
export const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: LIMITS.bytes, files: 1, fields: 10, fieldSize: 10_000 },
});

/**
 * The upload of one file in field "file". A multipart body that is cut short or malformed (busboy's
 * "Unexpected end of form", "Malformed part header", no boundary) is bad input: a DataError (400),
 * not a 500. Multer's limit errors keep their code (describeError words them).
 * @example router.post('/datasets', uploadFile, handler)
 */
export const uploadFile: RequestHandler = (req, res, next) => {
  upload.single('file')(req, res, (err?: unknown) => {
    if (!err) {
      next();
      return;
    }
    if (err instanceof multer.MulterError) {
      next(err);
      return;
    }
    const why = err instanceof Error ? err.message : String(err);
    next(new DataError(`upload: the multipart body is incomplete or malformed (${bounded(why)})`));
  });
};
