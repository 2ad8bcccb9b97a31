import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The repository stands alone: code, tests, benchmarks and docs cite papers, manual sections or files
 * inside the repo (docs/ALGORITHMS.md §2.3, docs/ARCHITECTURE.md "Contracts", BENCHMARKS.md §3),
 * never an issue tracker number of this project or a folder outside the clone. Every cited doc file
 * must exist and every cited section must be a heading of that file.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const TEXT = /\.(ts|mts|js|mjs|md|R|py|stan|ejs|json)$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (TEXT.test(name) && full !== SELF) out.push(full);
  }
  return out;
}

/** Every scanned file: the code folders, docs/ and the markdown at the top of the repo. */
function scannedFiles(): string[] {
  const files = ['src', 'test', 'bench', 'docs', 'scripts', 'views', 'models']
    .map((d) => path.join(ROOT, d))
    .filter(existsSync)
    .flatMap((d) => walk(d));
  for (const name of readdirSync(ROOT)) if (name.endsWith('.md')) files.push(path.join(ROOT, name));
  return files;
}

interface Hit {
  file: string;
  line: number;
  text: string;
}

function grep(files: readonly string[], re: RegExp): Hit[] {
  const hits: Hit[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (re.test(text))
        hits.push({ file: path.relative(ROOT, file), line: i + 1, text: text.trim() });
    });
  }
  return hits;
}

const show = (hits: readonly Hit[]) => hits.map((h) => `${h.file}:${h.line}: ${h.text}`);

/** The headings of a markdown file (without the leading #s and backticks). */
function headings(file: string): string[] {
  return readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .filter((l) => /^#{1,4} /.test(l))
    .map((l) => l.replace(/^#+ /, '').replaceAll('`', ''));
}

/** The numbered sections of a markdown file: "## 5. Convergence" and "### 5.5 ESS" give 5 and 5.5. */
function sectionNumbers(file: string): Set<string> {
  const out = new Set<string>();
  for (const h of headings(file)) {
    const m = /^(\d+(?:\.\d+)*)\.?\s/.exec(h);
    if (m) out.add(m[1]);
  }
  return out;
}

/**
 * Section numbers cited right after a file name: "docs/ALGORITHMS.md §5.5-5.6", "§9.2, §9.5 and §11",
 * "§2-4" (both ends of a range must exist), "§0 item 6" (the item is not checked).
 */
const SECTION_CHAIN = String.raw`((?:(?:\s*(?:,|and|;)?\s*)§\s?\d+(?:\.\d+)*(?:-\d+(?:\.\d+)*)?(?: items? \d+(?:-\d+)?)?)*)`;

function citedSections(files: readonly string[], doc: string): Hit[] {
  const re = new RegExp(`(?<![\\w/])${doc.replace('.', '\\.')}${SECTION_CHAIN}`, 'g');
  const known = sectionNumbers(doc);
  const bad: Hit[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        for (const m of text.matchAll(re)) {
          for (const ref of m[1].matchAll(/§\s?(\d+(?:\.\d+)*)(?:-(\d+(?:\.\d+)*))?/g)) {
            const first = ref[1];
            // "§5.5-5.6" ends at 5.6; "§2-4" ends at 4.
            const last = ref[2];
            for (const n of last === undefined ? [first] : [first, last]) {
              if (!known.has(n)) {
                bad.push({ file: path.relative(ROOT, file), line: i + 1, text: `${doc} §${n}` });
              }
            }
          }
        }
      });
  }
  return bad;
}

describe('citations a clone can follow', () => {
  const files = scannedFiles();

  it('scans the code, tests, benchmarks and docs', () => {
    const rel = files.map((f) => path.relative(ROOT, f));
    expect(rel).toContain(path.join('src', 'index.ts'));
    expect(rel).toContain(path.join('docs', 'ALGORITHMS.md'));
    expect(rel).toContain('README.md');
  });

  it('cites no issue numbers of this project', () => {
    expect(show(grep(files, /\bissues? [0-9]/i))).toEqual([]);
  });

  it('cites no folder outside the repository', () => {
    expect(show(grep(files, /\.\.\/shared|shared\/docs/))).toEqual([]);
  });

  it('cites the design documents only under docs/', () => {
    // The spec files live in docs/; a bare name (or DESIGN.md/REDESIGN.md, which are not in the
    // repo) points outside the clone.
    const bare = grep(files, /(?<![\w/])(ALGORITHMS|UX|ARCHITECTURE|DESIGN|REDESIGN)\.md/);
    expect(show(bare)).toEqual([]);
  });

  it('cites only doc files that exist', () => {
    const missing = grep(files, /\bdocs\/[\w./-]+\.md/).filter((h) =>
      [...h.text.matchAll(/\bdocs\/([\w./-]+\.md)/g)].some(
        (m) => !existsSync(path.join(ROOT, 'docs', m[1])),
      ),
    );
    expect(show(missing)).toEqual([]);
  });

  it('cites only numbered sections that exist', () => {
    for (const doc of ['docs/ALGORITHMS.md', 'docs/UX.md', 'BENCHMARKS.md', 'VALIDATION.md']) {
      expect(show(citedSections(files, doc))).toEqual([]);
    }
  });

  it('cites only named sections that exist', () => {
    const bad: Hit[] = [];
    for (const doc of ['docs/ARCHITECTURE.md', 'README.md', 'BENCHMARKS.md', 'VALIDATION.md']) {
      const names = headings(doc);
      const re = new RegExp(`(?<![\\w/])${doc.replace('.', '\\.')},? "([^"]+)"`, 'g');
      for (const file of files) {
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((text, i) => {
            for (const m of text.matchAll(re)) {
              if (!names.some((h) => h.includes(m[1]))) {
                bad.push({
                  file: path.relative(ROOT, file),
                  line: i + 1,
                  text: `${doc} "${m[1]}"`,
                });
              }
            }
          });
      }
    }
    expect(show(bad)).toEqual([]);
  });

  it('finds a wrong citation (the checks can fail)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bayesbench-docs-'));
    try {
      const file = path.join(dir, 'bad.ts');
      writeFileSync(file, '// see issue 7 and docs/ALGORITHMS.md §2.3, §99 and §5.5-5.99\n');
      expect(citedSections([file], 'docs/ALGORITHMS.md').map((h) => h.text)).toEqual([
        'docs/ALGORITHMS.md §99',
        'docs/ALGORITHMS.md §5.99',
      ]);
      expect(grep([file], /\bissues? [0-9]/i)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
