#!/usr/bin/env node
import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';
import { register as registerBacktest } from './backtest.js';
import { register as registerCompare } from './compare.js';
import { register as registerDiagnose } from './diagnose.js';
import { register as registerFit } from './fit.js';
import { register as registerLoo } from './loo.js';
import { register as registerPlan } from './plan.js';
import { register as registerPriors } from './priors.js';
import { register as registerServe } from './serve.js';
import { printText } from './shell.js';

// commander is CommonJS: `require` loads it without the ES module loader's CommonJS export scan
// (cjs-module-lexer), which costs CPU at every start (BENCHMARKS.md §12.5)
const { Command, CommanderError } = createRequire(import.meta.url)(
  'commander',
) as typeof CommanderModule;

/**
 * The bayesbench command line: one file per command, each thin over the library (src/index.ts).
 * Usage errors (unknown option, missing argument) exit 2 like bad input.
 */
export function createProgram(): CommanderModule.Command {
  const program = new Command('bayesbench')
    .description(
      'Which heuristic is better on which kind of task, and how sure is that: hierarchical ' +
        'Bayesian comparison of benchmark CSVs with a NUTS sampler, diagnostics and reports.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => printText(process.stderr, s) });
  registerCompare(program);
  registerFit(program);
  registerPriors(program);
  registerDiagnose(program);
  registerPlan(program);
  registerBacktest(program);
  registerLoo(program);
  registerServe(program);
  return program;
}

async function main(): Promise<void> {
  // `bayesbench ... | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  try {
    await createProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
}

await main();
