import { describe, expect, it } from 'vitest';
import { boolOption, collect, intOption, metricOption, numOption } from '../../src/cli/options.js';
import { ConfigError } from '../../src/errors.js';

describe('CLI option parsing', () => {
  it('passes absent options through as undefined', () => {
    expect(intOption('chains', undefined, 1)).toBeUndefined();
    expect(numOption('rope', undefined, () => true, 'x')).toBeUndefined();
    expect(boolOption('higher-is-better', undefined)).toBeUndefined();
  });

  it('parses good values', () => {
    expect(intOption('chains', '4', 1)).toBe(4);
    expect(numOption('adapt-delta', '0.95', (v) => v > 0 && v < 1, 'in (0, 1)')).toBe(0.95);
    expect(boolOption('higher-is-better', 'No')).toBe(false);
    expect(collect('b', ['a'])).toEqual(['a', 'b']);
    expect(metricOption('fisher-diag')).toBe('fisher-diag');
    expect(metricOption(undefined)).toBeUndefined();
  });

  it('names the option and the text in a ConfigError', () => {
    expect(() => intOption('chains', '0', 1)).toThrow(ConfigError);
    expect(() => intOption('chains', '2.5', 1)).toThrow(
      '--chains must be an integer >= 1 (got "2.5")',
    );
    expect(() => numOption('rope', ' ', (v) => v >= 0, 'a number >= 0')).toThrow(
      '--rope must be a number >= 0 (got " ")',
    );
    expect(() => boolOption('strict', 'maybe')).toThrow('--strict must be true or false');
    expect(() => metricOption('full')).toThrow(
      '--mass-matrix must be diag, dense, fisher-diag, fisher-lowrank (got "full")',
    );
  });
});

describe('compare: --budget-curve / --no-budget-curve', () => {
  /** The raw options commander gives `compare` for these arguments (the action is not run). */
  async function raw(args: string[]) {
    const { Command } = await import('commander');
    const { register } = await import('../../src/cli/compare.js');
    const program = new Command();
    register(program);
    const cmd = program.commands.find((c) => c.name() === 'compare');
    if (!cmd) throw new Error('no compare command');
    cmd.parseOptions(args);
    return cmd.opts();
  }

  it('leaves the choice to the default without either flag, and passes each flag on', async () => {
    const { compareOptions } = await import('../../src/cli/compare.js');
    const base = { filter: [], prior: [] };
    const none = await raw([]);
    // undefined: compare's BUDGET_CURVE_DEFAULT decides
    expect((await compareOptions({ ...base, ...none })).budgetCurve).toBeUndefined();
    const off = await raw(['--no-budget-curve']);
    expect(off.budgetCurve).toBe(false);
    expect((await compareOptions({ ...base, ...off })).budgetCurve).toBe(false);
    const on = await raw(['--budget-curve']);
    expect(on.budgetCurve).toBe(true);
    expect((await compareOptions({ ...base, ...on })).budgetCurve).toBe(true);
  });
});
