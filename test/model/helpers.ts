import type { Table } from '../../src/data/table.js';

/**
 * A Table from plain columns (numbers -> numeric, strings -> factor with sorted levels), for tests
 * that must not depend on the CSV reader.
 */
export function makeTable(cols: Record<string, (number | string)[]>, source?: string): Table {
  const names = Object.keys(cols);
  const nRows = names.length ? cols[names[0]].length : 0;
  const columns: Table['columns'] = {};
  const out: Record<string, Table['columns'][string]> = columns as Record<
    string,
    Table['columns'][string]
  >;
  for (const name of names) {
    const v = cols[name];
    if (v.every((x) => typeof x === 'number')) {
      out[name] = { type: 'numeric', values: Float64Array.from(v as number[]) };
    } else {
      const levels = Array.from(new Set(v.map(String))).sort();
      const index = new Map(levels.map((l, i) => [l, i]));
      out[name] = {
        type: 'factor',
        levels,
        codes: Int32Array.from(v.map((x) => index.get(String(x))!)),
      };
    }
  }
  return source === undefined ? { nRows, names, columns } : { nRows, names, columns, source };
}

/** Parse a small CSV (no quotes inside fields beyond simple "..." wrapping) into a Table. */
export function tableFromCsvText(text: string, source?: string): Table {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.replace(/^"|"$/g, ''));
  const cols: Record<string, (number | string)[]> = {};
  for (const h of header) cols[h] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    header.forEach((h, k) => {
      const v = cells[k];
      const x = Number(v);
      cols[h].push(v !== '' && Number.isFinite(x) ? x : v);
    });
  }
  return makeTable(cols, source);
}

/** Central finite-difference gradient. */
export function numericGradient(
  f: (theta: Float64Array) => number,
  theta: Float64Array,
  h = 1e-5,
): Float64Array {
  const g = new Float64Array(theta.length);
  const t = Float64Array.from(theta);
  for (let i = 0; i < theta.length; i++) {
    const x = t[i];
    t[i] = x + h;
    const fp = f(t);
    t[i] = x - h;
    const fm = f(t);
    t[i] = x;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}
