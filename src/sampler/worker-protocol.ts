/**
 * What the calling thread and a chain worker (worker.ts) post to each other: the task, the answer
 * and the two control messages. A module of its own so that the calling side (sample.ts) does not
 * load the worker's module, which is a bundle of the worker thread's code in a build
 * (scripts/bundle-cli.mjs).
 */
import type { MessagePort } from 'node:worker_threads';
import type { ChainResult, ChainSetup } from './chain.js';
import type { ModelSource } from './types.js';

/** The last message a worker posts on its progress port (after every ProgressEvent). */
export const END_OF_PROGRESS = 'end-of-progress';

/**
 * Posted to a worker's progress port to stop its chains (another chain failed): the worker reads
 * its port between two progress steps and answers with a cancellation.
 */
export const STOP_CHAINS = 'stop-chains';

/** The task posted to the worker: the chains it runs, in this order, on one rebuilt model. */
export interface WorkerTask {
  source: ModelSource;
  setups: ChainSetup[];
  port: MessagePort;
  progressEvery: number;
}

/** The worker's answer: a result, or an error flattened to plain data (class names survive). */
export type WorkerAnswer =
  | { ok: true; results: ChainResult[] }
  | { ok: false; name: string; message: string };
