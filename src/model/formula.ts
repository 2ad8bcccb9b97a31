/**
 * brms-style model formulas: `y | aterms ~ population terms + (group terms | group)`.
 *
 * The subset follows brms 2.18+ (`?brmsformula`, `?addition-terms`) and lme4 for the grouping syntax:
 * - response and addition terms: `y ~ ...`, `y | se(s) ~ ...`, `y | trials(n) ~ ...`, `y | weights(w) ~ ...`
 *   (several joined with `+`, e.g. `y | se(s) + weights(w)`);
 * - population terms: `1`, `0` / `-1` (no intercept), `0 + Intercept` (an uncentred intercept),
 *   numeric or factor columns, `a:b`, `a*b` (= a + b + a:b);
 * - group terms: `(1|g)`, `(1 + x|g)` (correlated), `(1 + x || g)` (uncorrelated), `(1|g1:g2)`,
 *   `(1|g1/g2)` (= `(1|g1) + (1|g1:g2)`).
 */
import { FormulaError } from '../errors.js';

/** An interaction of columns (one column for a main effect), as written in the formula. */
export interface PopTerm {
  /** Column names; length 1 for a main effect, more for `a:b`. */
  columns: string[];
  /** 0-based character position in the formula (for error messages). */
  pos: number;
}

/** A group-level term `(coefs | factors)`. */
export interface GroupTerm {
  /** Whether the term has a varying intercept. */
  intercept: boolean;
  /** Varying slopes. */
  terms: PopTerm[];
  /** Grouping factors; more than one for `g1:g2` (an interaction group). */
  factors: string[];
  /** `|` (true) or `||` (false). */
  correlated: boolean;
  pos: number;
}

/** A parsed formula. */
export interface ParsedFormula {
  text: string;
  response: string;
  responsePos: number;
  /** Addition terms: the column of each. */
  se?: string;
  trials?: string;
  weights?: string;
  /** Positions of addition-term columns (for error messages). */
  aPos: Record<string, number>;
  /** A centred intercept (brms's default `1`). */
  intercept: boolean;
  population: PopTerm[];
  groups: GroupTerm[];
}

type TokKind = 'name' | 'num' | 'sym' | 'end';
interface Token {
  kind: TokKind;
  text: string;
  pos: number;
}

/**
 * The formula with a caret under position `pos`, for error messages.
 *
 * @example
 * caretMessage('y ~ 1 +', 7, 'expected a term') // 'formula: expected a term\n  y ~ 1 +\n         ^'
 */
export function caretMessage(text: string, pos: number, message: string, what = 'formula'): string {
  const p = Math.max(0, Math.min(pos, text.length));
  return `${what}: ${message} (position ${p + 1})\n  ${text}\n  ${' '.repeat(p)}^`;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new FormulaError(caretMessage(text, i, 'unterminated backtick name'));
      tokens.push({ kind: 'name', text: text.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_.]/.test(c) && !(c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_.]/.test(text[j])) j++;
      tokens.push({ kind: 'name', text: text.slice(i, j), pos: i });
      i = j;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE]/.test(text[j])) j++;
      tokens.push({ kind: 'num', text: text.slice(i, j), pos: i });
      i = j;
      continue;
    }
    if (c === '|' && text[i + 1] === '|') {
      tokens.push({ kind: 'sym', text: '||', pos: i });
      i += 2;
      continue;
    }
    if ('~|+-*:/(),='.includes(c)) {
      tokens.push({ kind: 'sym', text: c, pos: i });
      i++;
      continue;
    }
    throw new FormulaError(caretMessage(text, i, `unexpected character '${c}'`));
  }
  tokens.push({ kind: 'end', text: '', pos: text.length });
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  peek(): Token {
    return this.tokens[this.i];
  }
  next(): Token {
    return this.tokens[this.i++];
  }
  fail(tok: Token, message: string): never {
    throw new FormulaError(caretMessage(this.text, tok.pos, message));
  }
  isSym(s: string): boolean {
    const t = this.peek();
    return t.kind === 'sym' && t.text === s;
  }
  expectSym(s: string, what: string): Token {
    const t = this.next();
    if (t.kind !== 'sym' || t.text !== s) {
      this.fail(t, `expected ${what}, found ${t.kind === 'end' ? 'the end' : `'${t.text}'`}`);
    }
    return t;
  }
  expectName(what: string): Token {
    const t = this.next();
    if (t.kind !== 'name') {
      this.fail(t, `expected ${what}, found ${t.kind === 'end' ? 'the end' : `'${t.text}'`}`);
    }
    return t;
  }

  /** name ((':' | '*') name)*, returning the expanded list of interaction terms. */
  product(): PopTerm[] {
    const first = this.expectName('a column name');
    let cur: string[] = [first.text];
    const groups: string[][] = [cur];
    while (this.isSym(':') || this.isSym('*')) {
      const op = this.next().text;
      const t = this.expectName('a column name');
      if (op === ':') cur.push(t.text);
      else {
        cur = [t.text];
        groups.push(cur);
      }
    }
    // a:b*c:d = (a:b) * (c:d): all non-empty subsets of the '*'-factors, in R's order (by size).
    if (groups.length === 1) return [{ columns: groups[0], pos: first.pos }];
    const out: PopTerm[] = [];
    const n = groups.length;
    const subsets: number[][] = [];
    for (let mask = 1; mask < 1 << n; mask++) {
      const s: number[] = [];
      for (let k = 0; k < n; k++) if (mask & (1 << k)) s.push(k);
      subsets.push(s);
    }
    subsets.sort((a, b) => a.length - b.length || a[0] - b[0]);
    for (const s of subsets) out.push({ columns: s.flatMap((k) => groups[k]), pos: first.pos });
    return out;
  }

  /**
   * A sum of population terms (the right-hand side or the left part of a group term). Returns the
   * intercept setting (true, false, or undefined when not mentioned) and the terms.
   */
  sum(inGroup: boolean): {
    intercept: boolean | undefined;
    uncentred: boolean;
    terms: PopTerm[];
    groups: GroupTerm[];
  } {
    let intercept: boolean | undefined;
    let uncentred = false;
    const terms: PopTerm[] = [];
    const groups: GroupTerm[] = [];
    let sign = 1;
    let first = true;
    for (;;) {
      const t = this.peek();
      if (!first) {
        if (this.isSym('+')) sign = 1;
        else if (this.isSym('-')) sign = -1;
        else break;
        this.next();
      } else if (this.isSym('-')) {
        this.next();
        sign = -1;
      }
      first = false;
      const u = this.peek();
      if (u.kind === 'num') {
        this.next();
        if (u.text === '1') intercept = sign > 0;
        else if (u.text === '0' && sign > 0) intercept = false;
        else this.fail(u, `'${sign < 0 ? '-' : ''}${u.text}' is not a term (use 1, 0 or -1)`);
      } else if (u.kind === 'sym' && u.text === '(') {
        if (inGroup) this.fail(u, 'a group term cannot be nested in another');
        if (sign < 0) this.fail(u, 'a group term cannot be removed with -');
        groups.push(...this.group());
      } else if (u.kind === 'name') {
        if (sign < 0)
          this.fail(u, 'removing a term with - is only supported for the intercept (-1)');
        const ps = this.product();
        for (const p of ps) {
          if (p.columns.length === 1 && p.columns[0] === 'Intercept' && !inGroup) uncentred = true;
          terms.push(p);
        }
      } else {
        this.fail(
          t.kind === 'end' ? t : u,
          `expected a term, found ${u.kind === 'end' ? 'the end' : `'${u.text}'`}`,
        );
      }
    }
    return { intercept, uncentred, terms, groups };
  }

  /** '(' sum ('|' | '||') g ((':' | '/') g)* ')' */
  group(): GroupTerm[] {
    const open = this.expectSym('(', "'('");
    const lhs = this.sum(true);
    const bar = this.next();
    if (bar.kind !== 'sym' || (bar.text !== '|' && bar.text !== '||')) {
      this.fail(
        bar,
        `expected '|' or '||' in the group term, found ${bar.kind === 'end' ? 'the end' : `'${bar.text}'`}`,
      );
    }
    const nests: string[][] = [];
    let cur = [this.expectName('a grouping column').text];
    nests.push(cur);
    while (this.isSym(':') || this.isSym('/')) {
      const op = this.next().text;
      const g = this.expectName('a grouping column').text;
      if (op === ':') cur.push(g);
      else {
        cur = [g];
        nests.push(cur);
      }
    }
    this.expectSym(')', "')' closing the group term");
    const intercept = lhs.intercept ?? true;
    if (!intercept && lhs.terms.length === 0) {
      this.fail(open, 'a group term needs an intercept or a slope');
    }
    // g1/g2 = g1 + g1:g2 (lme4); g1:g2/g3 = g1:g2 + g1:g2:g3.
    const out: GroupTerm[] = [];
    const acc: string[] = [];
    for (const n of nests) {
      acc.push(...n);
      out.push({
        intercept,
        terms: lhs.terms,
        factors: [...acc],
        correlated: bar.text === '|',
        pos: open.pos,
      });
    }
    return out;
  }
}

/**
 * Parse a brms-style formula. Throws FormulaError (with the formula and a caret under the position).
 *
 * @example
 * const f = parseFormula('score ~ 1 + (1|heuristic) + (1|heuristic:task)');
 * f.groups.map((g) => g.factors.join(':')) // ['heuristic', 'heuristic:task']
 */
export function parseFormula(text: string): ParsedFormula {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new FormulaError('formula: empty formula (expected e.g. "y ~ 1 + (1|g)")');
  }
  const tokens = tokenize(text);
  const p = new Parser(text, tokens);
  const resp = p.expectName('the response column');
  const out: ParsedFormula = {
    text,
    response: resp.text,
    responsePos: resp.pos,
    aPos: {},
    intercept: true,
    population: [],
    groups: [],
  };
  if (p.isSym('|')) {
    p.next();
    for (;;) {
      const fn = p.expectName('an addition term (se, trials, weights)');
      if (!['se', 'trials', 'weights'].includes(fn.text)) {
        p.fail(fn, `unknown addition term '${fn.text}' (use se(), trials() or weights())`);
      }
      p.expectSym('(', "'('");
      const col = p.expectName('a column name');
      if (p.isSym(',')) {
        const c = p.next();
        p.fail(c, `${fn.text}() takes one column`);
      }
      p.expectSym(')', "')'");
      const key = fn.text as 'se' | 'trials' | 'weights';
      if (out[key] !== undefined) p.fail(fn, `${fn.text}() given twice`);
      out[key] = col.text;
      out.aPos[key] = col.pos;
      if (p.isSym('+')) {
        p.next();
        continue;
      }
      break;
    }
  }
  p.expectSym('~', "'~' after the response");
  const rhs = p.sum(false);
  const end = p.peek();
  if (end.kind !== 'end') p.fail(end, `unexpected '${end.text}'`);
  out.intercept = (rhs.intercept ?? true) && !rhs.uncentred;
  if (rhs.uncentred && rhs.intercept !== false) {
    const pos = rhs.terms.find((t) => t.columns[0] === 'Intercept')?.pos ?? 0;
    throw new FormulaError(
      caretMessage(text, pos, "'Intercept' as a term needs '0 +' before it (brms: 0 + Intercept)"),
    );
  }
  // Deduplicate population terms (R keeps one copy of a term written twice, e.g. a*b + a).
  const seen = new Set<string>();
  for (const t of rhs.terms) {
    const key = [...t.columns].sort().join(':');
    if (seen.has(key)) continue;
    seen.add(key);
    out.population.push(t);
  }
  out.groups = rhs.groups;
  return out;
}
