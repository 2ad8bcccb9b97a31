import type { Table } from '../data/table.js';
import { DataError } from '../errors.js';

/**
 * The comparison structure of a canonical comparison table (columns heuristic, task, category?,
 * study?, seed?, score, se?, trials?, as `prepareComparisonData` returns it): which heuristics and
 * tasks exist, which category each task belongs to, and each row's codes.
 */
export interface ComparisonDesign {
  heuristics: readonly string[];
  tasks: readonly string[];
  /** Category of each task (null when the table has no category column). */
  taskCategory: readonly (string | null)[];
  /** Categories in first-seen order of the sorted tasks... sorted by name. */
  categories: readonly string[];
  rowHeuristic: Int32Array;
  rowTask: Int32Array;
  /**
   * Every factor column as strings per row (for group levels): factor name -> value of each row,
   * each made when first read.
   */
  rowValues: Readonly<Record<string, readonly (string | null)[]>>;
  nRows: number;
  /** Notes for people (e.g. a task filed under two categories). */
  notes: string[];
}

/** Canonical factor names the analysis knows how to place in a heuristic x task cell. */
export const CELL_FACTORS = ['heuristic', 'task', 'category'] as const;
/** Canonical factors averaged out of cell means (their effects shift whole studies, runs or backbones). */
export const NUISANCE_FACTORS = ['study', 'seed', 'backbone'] as const;

function factorStrings(table: Table, name: string): (string | null)[] | undefined {
  const col = table.columns[name];
  if (!col) return undefined;
  if (col.type === 'factor') {
    return Array.from(col.codes, (c) => (c < 0 ? null : col.levels[c]));
  }
  return Array.from(col.values, (v) => (Number.isFinite(v) ? String(v) : null));
}

/**
 * Read the comparison design from a canonical comparison table.
 * @example designFromTable(prepared.table).heuristics // ['linformer', 'performer', ...]
 */
export function designFromTable(table: Table): ComparisonDesign {
  const h = table.columns.heuristic;
  const t = table.columns.task;
  if (h?.type !== 'factor' || t?.type !== 'factor') {
    throw new DataError(
      `${table.source ?? 'data'}: the comparison table needs factor columns "heuristic" and "task"`,
    );
  }
  // each column's strings are made on first use only (and kept): most callers never read them, and
  // a per-example file of 10,000,000 rows would spend seconds and ~100 MB per column on them
  const rowValues: Record<string, readonly (string | null)[]> = {};
  for (const name of table.names) {
    if (name === 'score' || name === 'se' || name === 'trials' || !table.columns[name]) continue;
    let strings: (string | null)[] | undefined;
    Object.defineProperty(rowValues, name, {
      enumerable: true,
      get: () => {
        strings ??= factorStrings(table, name);
        return strings;
      },
    });
  }
  const notes: string[] = [];
  const taskCategory: (string | null)[] = t.levels.map(() => null);
  const cat = rowValues.category;
  if (cat) {
    for (let i = 0; i < table.nRows; i++) {
      const ti = t.codes[i];
      if (ti < 0 || cat[i] === null) continue;
      const prev = taskCategory[ti];
      if (prev === null) taskCategory[ti] = cat[i];
      else if (prev !== cat[i]) {
        notes.push(
          `task "${t.levels[ti]}" appears under categories "${prev}" and "${cat[i]}"; ` +
            `it is reported under "${prev}"`,
        );
      }
    }
  }
  const categories = cat
    ? [...new Set(taskCategory.filter((c): c is string => c !== null))].sort()
    : [];
  return {
    heuristics: h.levels,
    tasks: t.levels,
    taskCategory,
    categories,
    rowHeuristic: h.codes,
    rowTask: t.codes,
    rowValues,
    nRows: table.nRows,
    notes,
  };
}
