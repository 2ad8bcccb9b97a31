import { ar1Block } from '../diagnostics/generators.js';

/** Options of the synthetic CmdStan output. */
export interface CmdStanTextOptions {
  chain: number;
  draws?: number;
  warmup?: number;
  saveWarmup?: boolean;
  maxDepth?: number;
  divergentAt?: number[];
  header?: string;
}

/**
 * A CmdStan-style output CSV for one chain (layout of CmdStan 2.3x `sample` output: `#` config
 * comments, the header, adaptation comments, one row per iteration, timing comments).
 */
export function cmdstanText(o: CmdStanTextOptions): string {
  const n = o.draws ?? 100;
  const w = o.saveWarmup ? (o.warmup ?? 50) : 0;
  const x = ar1Block(n + w, 2, 0.3, 100 + o.chain);
  const lines = [
    '# stan_version_major = 2',
    '# stan_version_minor = 36',
    '# model = normal_model',
    '# method = sample (Default)',
    '#   sample',
    `#     num_samples = ${n}`,
    `#     num_warmup = ${o.warmup ?? 50}`,
    `#     save_warmup = ${o.saveWarmup ? 'true' : 'false'}`,
    '#     thin = 1 (Default)',
    '#     adapt',
    '#       engaged = true (Default)',
    '#       delta = 0.8 (Default)',
    '#     algorithm = hmc (Default)',
    '#       hmc',
    '#         engine = nuts (Default)',
    '#           nuts',
    `#             max_depth = ${o.maxDepth ?? 10}`,
    `# id = ${o.chain}`,
    o.header ??
      'lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,theta.1',
  ];
  const row = (i: number) => {
    const div = o.divergentAt?.includes(i - w) ? 1 : 0;
    return [-x[i] * x[i], 0.9, 0.8, 2, 3, div, x[i] * x[i] + 1, x[i], x[n + w + i]].join(',');
  };
  for (let i = 0; i < w; i++) lines.push(row(i));
  lines.push(
    '# Adaptation terminated',
    '# Step size = 0.8',
    '# Diagonal elements of inverse mass matrix:',
    '# 1, 1',
  );
  for (let i = w; i < w + n; i++) lines.push(row(i));
  lines.push(
    '# ',
    '#  Elapsed Time: 0.012 seconds (Warm-up)',
    '#                0.021 seconds (Sampling)',
    '#                0.033 seconds (Total)',
    '# ',
  );
  return `${lines.join('\n')}\n`;
}
