import type { RequestHandler } from 'express';
import multer from 'multer';
import { readSamplesStream } from '../../data/input.js';
import { BayesbenchError, DataError } from '../../errors.js';
import { bounded } from '../messages.js';
import { LIMITS } from '../requests.js';

/** The upload's file as the storage engine below leaves it on `req.file`. */
type StoredFile = Partial<Express.Multer.File> & {
  /** A per-sample .jsonl, read as it arrived. */
  parsed?: Awaited<ReturnType<typeof readSamplesStream>>;
};

const isJsonl = (name: string): boolean => /\.jsonl$/i.test(name);

/**
 * Multer storage in memory (nothing touches the disk): a per-sample `.jsonl` is read line by line
 * as it arrives (readSamplesStream: one line and the long table in memory; at most LIMITS.rows
 * samples and LIMITS.jsonlBytes bytes), any other file is kept as bytes up to LIMITS.bytes. On a
 * bad line the rest of the file is drained and the request fails with the reader's DataError.
 */
const storage: multer.StorageEngine = {
  _handleFile(req, file, cb) {
    if (isJsonl(file.originalname)) {
      // form fields sent before the file (the upload form puts them first) are known here
      const field = (key: string): string | undefined => {
        const v = (req.body as Record<string, unknown> | undefined)?.[key];
        return typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined;
      };
      const metric = field('metric');
      readSamplesStream(file.stream, file.originalname, {
        source: bounded(field('name') ?? file.originalname.slice(0, 200)),
        maxRows: LIMITS.rows,
        ...(metric ? { metric } : {}),
      }).then(
        (parsed) => cb(null, { parsed } as StoredFile),
        (err: unknown) => {
          file.stream.resume(); // drain the rest, so that the request can end
          cb(err as Error);
        },
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null, info?: StoredFile) => {
      if (done) return;
      done = true;
      cb(err, info);
    };
    file.stream.on('data', (chunk: Buffer) => {
      if (done) return; // over the limit: the rest is drained unread
      size += chunk.length;
      if (size > LIMITS.bytes) {
        chunks.length = 0;
        finish(new multer.MulterError('LIMIT_FILE_SIZE', file.fieldname));
      } else chunks.push(chunk);
    });
    file.stream.on('error', (err) => finish(err));
    file.stream.on('end', () => finish(null, { buffer: Buffer.concat(chunks), size }));
  },
  _removeFile(_req, _file, cb) {
    cb(null);
  },
};

/**
 * Multer with the storage above and the upload limits (the byte limit of a .jsonl is the larger
 * one; other files are held to LIMITS.bytes by the storage).
 * @example router.post('/datasets', upload.single('file'), handler)
 */
export const upload = multer({
  storage,
  limits: {
    fileSize: Math.max(LIMITS.bytes, LIMITS.jsonlBytes),
    files: 1,
    fields: 10,
    fieldSize: 10_000,
  },
});

/**
 * The upload of one file in field "file". A multipart body that is cut short or malformed (busboy's
 * "Unexpected end of form", "Malformed part header", no boundary) is bad input: a DataError (400),
 * not a 500. Multer's limit errors keep their code (describeError words them), and a reader's
 * error (a bad line of a streamed .jsonl) its message.
 * @example router.post('/datasets', uploadFile, handler)
 */
export const uploadFile: RequestHandler = (req, res, next) => {
  upload.single('file')(req, res, (err?: unknown) => {
    if (!err) {
      next();
      return;
    }
    if (err instanceof multer.MulterError || err instanceof BayesbenchError) {
      next(err);
      return;
    }
    const why = err instanceof Error ? err.message : String(err);
    next(new DataError(`upload: the multipart body is incomplete or malformed (${bounded(why)})`));
  });
};

/**
 * What an upload route hands to ingestUpload from `req.file` and the form. A streamed .jsonl's
 * table moves from `req.file` to the input (ingestUpload lets go of it once converted, so the
 * request does not keep a second copy of the rows alive).
 * @example await ingestUpload(store, engine, uploadInput(req))
 */
export function uploadInput(req: { file?: Express.Multer.File; body?: unknown }) {
  const file = req.file as (Express.Multer.File & StoredFile) | undefined;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const parsed = file?.parsed;
  if (file) delete file.parsed;
  return {
    bytes: file?.buffer ? new Uint8Array(file.buffer) : undefined,
    filename: file?.originalname,
    name: typeof body.name === 'string' ? body.name : undefined,
    n: typeof body.n === 'string' ? body.n : undefined,
    metric: typeof body.metric === 'string' ? body.metric : undefined,
    parsed,
  };
}

/** Largest items-per-task file the new-fit form takes: a task,n table of ~1,000 tasks. */
export const ITEMS_FILE_BYTES = 20_000;

const itemsUpload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: ITEMS_FILE_BYTES, files: 1, fields: 64, fieldSize: 100_000 },
});

/**
 * The new-fit form's optional file of items per task (field "items_per_task_file", a CSV with
 * columns task,n), in memory, at most ITEMS_FILE_BYTES; the form's other fields land on req.body
 * as with a urlencoded form. A body over a limit or malformed is a DataError (400) in one line.
 * @example router.post('/fits', itemsPerTaskFile, handler)
 */
export const itemsPerTaskFile: RequestHandler = (req, res, next) => {
  itemsUpload.single('items_per_task_file')(req, res, (err?: unknown) => {
    if (!err) {
      next();
      return;
    }
    if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') {
      next(
        new DataError(
          `items per task file: over the limit of ${ITEMS_FILE_BYTES / 1000} kB (a CSV with columns task,n)`,
        ),
      );
      return;
    }
    const why = err instanceof Error ? err.message : String(err);
    next(new DataError(`new fit form: the multipart body is malformed (${bounded(why)})`));
  });
};
