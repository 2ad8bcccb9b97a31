import { cellText, quoted, rowLocation } from '../data/access.js';
import type { Table } from '../data/table.js';
import { DataError } from '../errors.js';
import type { CandidateSpec } from './plan-from-fit.js';

/**
 * The planner's inputs from tables: the candidate list of `--candidates FILE` and the run costs of
 * `--cost COLUMN|FILE`. Errors name the file, line and column.
 */

/** A cost function of the planner: cost of a run of a heuristic on a task. */
export type CostOf = (c: { heuristic: string; task: string }) => number;

function need(table: Table, name: string, what: string): void {
  if (!table.columns[name]) {
    throw new DataError(
      `${table.source ?? what}: no column ${quoted(name)} (${what} needs heuristic, task${what === '--cost' ? ', cost' : ''})`,
    );
  }
}

/**
 * Candidates from a CSV with columns heuristic, task and optionally category (the category of a
 * task the data do not have yet) and backbone (the backbone to run on; empty: the average one).
 * @example candidatesFromTable(parseCsv('heuristic,task\na,t1\n')) // [{ heuristic: 'a', task: 't1' }]
 */
export function candidatesFromTable(table: Table): CandidateSpec[] {
  need(table, 'heuristic', '--candidates');
  need(table, 'task', '--candidates');
  const out: CandidateSpec[] = [];
  for (let i = 0; i < table.nRows; i++) {
    const heuristic = cellText(table, 'heuristic', i);
    const task = cellText(table, 'task', i);
    if (heuristic === '' || task === '') {
      throw new DataError(
        `${table.source ?? '--candidates'}: ${rowLocation(table, i)}: heuristic and task must not be empty`,
      );
    }
    const category = table.columns.category ? cellText(table, 'category', i) || null : null;
    const backbone = table.columns.backbone ? cellText(table, 'backbone', i) : '';
    out.push({
      heuristic,
      task,
      ...(category !== null ? { category } : {}),
      ...(backbone !== '' ? { backbone } : {}),
    });
  }
  if (out.length === 0) throw new DataError(`${table.source ?? '--candidates'}: no candidates`);
  return out;
}

function positiveCost(table: Table, column: string, i: number): number {
  const col = table.columns[column];
  const v = col?.type === 'numeric' ? col.values[i] : Number.NaN;
  if (!(v > 0 && Number.isFinite(v))) {
    throw new DataError(
      `${table.source ?? '--cost'}: ${rowLocation(table, i)}: column ${quoted(column)} must be a number > 0 (got ${quoted(cellText(table, column, i))})`,
    );
  }
  return v;
}

/**
 * Costs from a CSV with columns heuristic, cost and optionally task: a row with a task is the cost
 * of that cell, one without (or an empty task) the heuristic's cost on every task. A run with no
 * matching row is an error naming it.
 * @example costFromTable(parseCsv('heuristic,cost\na,2\n'))({ heuristic: 'a', task: 't' }) // 2
 */
export function costFromTable(table: Table): CostOf {
  need(table, 'heuristic', '--cost');
  need(table, 'cost', '--cost');
  const byCell = new Map<string, number>();
  const byHeuristic = new Map<string, number>();
  for (let i = 0; i < table.nRows; i++) {
    const h = cellText(table, 'heuristic', i);
    const t = table.columns.task ? cellText(table, 'task', i) : '';
    const v = positiveCost(table, 'cost', i);
    if (t === '') byHeuristic.set(h, v);
    else byCell.set(`${h}\u0000${t}`, v);
  }
  return ({ heuristic, task }) => {
    const v = byCell.get(`${heuristic}\u0000${task}`) ?? byHeuristic.get(heuristic);
    if (v === undefined) {
      throw new DataError(
        `${table.source ?? '--cost'}: no cost for ${quoted(heuristic)} on ${quoted(task)}`,
      );
    }
    return v;
  };
}

/**
 * Costs from a column of the data (e.g. GPU hours per run): the mean over the cell's rows, else
 * over the heuristic's rows, else over all rows. `heuristicColumn` and `taskColumn` are the data's
 * columns of those roles (the prepared mapping).
 * @example costFromColumn(table, 'gpu_hours', 'method', 'task')({ heuristic: 'a', task: 't' })
 */
export function costFromColumn(
  table: Table,
  column: string,
  heuristicColumn: string,
  taskColumn: string,
): CostOf {
  if (!table.columns[column]) {
    throw new DataError(
      `--cost: ${quoted(column)} is neither a file nor a column of ${table.source ?? 'the data'}`,
    );
  }
  if (!table.columns[heuristicColumn] || !table.columns[taskColumn]) {
    throw new DataError(
      `--cost ${quoted(column)}: the heuristic and task must each be one column of the data (use a cost file)`,
    );
  }
  const sums = new Map<string, [number, number]>();
  const add = (key: string, v: number) => {
    const s = sums.get(key) ?? [0, 0];
    s[0] += v;
    s[1] += 1;
    sums.set(key, s);
  };
  for (let i = 0; i < table.nRows; i++) {
    const h = cellText(table, heuristicColumn, i);
    const t = cellText(table, taskColumn, i);
    if (cellText(table, column, i) === '') continue; // a run without a recorded cost
    const v = positiveCost(table, column, i);
    add(`c\u0000${h}\u0000${t}`, v);
    add(`h\u0000${h}`, v);
    add('all', v);
  }
  if (!sums.has('all')) throw new DataError(`--cost: column ${quoted(column)} has no costs`);
  const mean = (key: string) => {
    const s = sums.get(key);
    return s ? s[0] / s[1] : undefined;
  };
  return ({ heuristic, task }) =>
    mean(`c\u0000${heuristic}\u0000${task}`) ??
    mean(`h\u0000${heuristic}`) ??
    (mean('all') as number);
}
