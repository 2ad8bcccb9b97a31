import type { Command } from 'commander';

/** Register the `fit` command (work in progress: not yet implemented). */
export function register(_program: Command): void {}
