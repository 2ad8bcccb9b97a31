/**
 * Test-set sizes (items per task) of well-known long-context benchmarks, with their sources, for the
 * binomial model of accuracy-type scores (src/analysis/bounded.ts): a score that is the share of a
 * task's n items answered correctly is a count out of n. docs/benchmark-sizes.md explains the use.
 *
 * Only the benchmarks' own files or papers are the source of a size; a paper that evaluates on a
 * subset (e.g. 96 RULER samples per task) needs `--items-per-task`. LooGLE is not listed: none of
 * its metrics (BLEU, ROUGE, METEOR, BERTScore, GPT-4 judgment; Li et al. 2024, "LooGLE", ACL,
 * section 4) is a proportion of items correct, so its sizes would never select the binomial model.
 */

/** How one item is scored. */
export type ItemScoring =
  /** 0 or 1 per item (accuracy, exact match, one needle found): the task score is a count / n. */
  | 'correct'
  /**
   * The share of k sub-answers per item (RULER's string_match_all over k needles or words): the
   * task score is a sum of fractions; the binomial variance n p (1 - p) bounds its variance from
   * above (Bhatia & Davis 2000, "A better bound on the variance", Amer. Math. Monthly 107(4)).
   */
  | 'partial'
  /** A continuous per-item score (F1, ROUGE-L, edit similarity): not a count; never binomial. */
  | 'continuous';

/** One task of a benchmark. */
export interface TaskSize {
  /** The task's names as tables print them (case and `-`/`_`/space are ignored when matching). */
  names: readonly string[];
  /** Items in the test set. */
  n: number;
  scoring: ItemScoring;
  /** With 'partial': sub-answers per item (the score moves in steps of 1 / (n k)). */
  subAnswers?: number;
  /** The benchmark's metric for the task. */
  metric: string;
}

/** A benchmark: its tasks and where their sizes come from. */
export interface BenchmarkSizes {
  name: string;
  /** The source of the sizes (paper and table, or repository file and commit). */
  source: string;
  tasks: readonly TaskSize[];
}

const LONGBENCH_SOURCE =
  'Bai et al. 2024, "LongBench: A Bilingual, Multitask Benchmark for Long Context Understanding", ACL, Table 1 (#data); THUDM/LongBench task.md "#Sample" at commit 78e747b3fc2dd0def21dad2a57cc8c0577b2b8e6';

const RULER_SOURCE =
  'Hsieh et al. 2024, "RULER: What\'s the Real Context Size of Your Long-Context Language Models?", COLM; NVIDIA/RULER scripts/config_tasks.sh NUM_SAMPLES=500 (the default samples per task and length) and scripts/eval/synthetic/constants.py (string_match_all / string_match_part), scripts/synthetic.yaml (needles per task), at commit c3f5e3b4f87f97e048793bb510a3a6b19a46bf3a';

/** The sizes table. */
export const BENCHMARK_SIZES: readonly BenchmarkSizes[] = [
  {
    name: 'LongBench',
    source: LONGBENCH_SOURCE,
    tasks: [
      { names: ['NarrativeQA'], n: 200, scoring: 'continuous', metric: 'F1' },
      { names: ['Qasper'], n: 200, scoring: 'continuous', metric: 'F1' },
      { names: ['MultiFieldQA-en'], n: 150, scoring: 'continuous', metric: 'F1' },
      { names: ['MultiFieldQA-zh'], n: 200, scoring: 'continuous', metric: 'F1' },
      { names: ['HotpotQA'], n: 200, scoring: 'continuous', metric: 'F1' },
      { names: ['2WikiMultihopQA', '2WikiMQA'], n: 200, scoring: 'continuous', metric: 'F1' },
      { names: ['MuSiQue'], n: 200, scoring: 'continuous', metric: 'F1' },
      { names: ['DuReader'], n: 200, scoring: 'continuous', metric: 'Rouge-L' },
      { names: ['GovReport', 'gov_report'], n: 200, scoring: 'continuous', metric: 'Rouge-L' },
      { names: ['QMSum'], n: 200, scoring: 'continuous', metric: 'Rouge-L' },
      { names: ['MultiNews', 'multi_news'], n: 200, scoring: 'continuous', metric: 'Rouge-L' },
      { names: ['VCSUM'], n: 200, scoring: 'continuous', metric: 'Rouge-L' },
      { names: ['TREC'], n: 200, scoring: 'correct', metric: 'Accuracy' },
      { names: ['TriviaQA'], n: 200, scoring: 'continuous', metric: 'F1' },
      { names: ['SAMSum'], n: 200, scoring: 'continuous', metric: 'Rouge-L' },
      { names: ['LSHT'], n: 200, scoring: 'correct', metric: 'Accuracy' },
      { names: ['PassageCount', 'passage_count'], n: 200, scoring: 'correct', metric: 'Accuracy' },
      {
        names: ['PassageRetrieval-en', 'passage_retrieval_en'],
        n: 200,
        scoring: 'correct',
        metric: 'Accuracy',
      },
      {
        names: ['PassageRetrieval-zh', 'passage_retrieval_zh'],
        n: 200,
        scoring: 'correct',
        metric: 'Accuracy',
      },
      { names: ['LCC'], n: 500, scoring: 'continuous', metric: 'Edit Sim' },
      { names: ['RepoBench-P'], n: 500, scoring: 'continuous', metric: 'Edit Sim' },
    ],
  },
  {
    name: 'RULER',
    source: RULER_SOURCE,
    tasks: [
      // one needle, one value, one query: string_match_all over one reference is 0 or 1
      ...['niah_single_1', 'niah_single_2', 'niah_single_3'].map((t) => ({
        names: [t],
        n: 500,
        scoring: 'correct' as const,
        metric: 'string_match_all',
      })),
      ...['niah_multikey_1', 'niah_multikey_2', 'niah_multikey_3'].map((t) => ({
        names: [t],
        n: 500,
        scoring: 'correct' as const,
        metric: 'string_match_all',
      })),
      // num_needle_v: 4 / num_needle_q: 4 values to return per item
      {
        names: ['niah_multivalue'],
        n: 500,
        scoring: 'partial',
        subAnswers: 4,
        metric: 'string_match_all',
      },
      {
        names: ['niah_multiquery'],
        n: 500,
        scoring: 'partial',
        subAnswers: 4,
        metric: 'string_match_all',
      },
      // one chain of 4 hops: 5 variables to return
      { names: ['vt'], n: 500, scoring: 'partial', subAnswers: 5, metric: 'string_match_all' },
      // the 10 most common words (num_cw: 10); the 3 most frequent words
      { names: ['cwe'], n: 500, scoring: 'partial', subAnswers: 10, metric: 'string_match_all' },
      { names: ['fwe'], n: 500, scoring: 'partial', subAnswers: 3, metric: 'string_match_all' },
      // string_match_part: any of the references, 0 or 1
      { names: ['qa_1'], n: 500, scoring: 'correct', metric: 'string_match_part' },
      { names: ['qa_2'], n: 500, scoring: 'correct', metric: 'string_match_part' },
    ],
  },
];

/** A task name as matched: lower case, `-`, `_`, `.` and spaces removed. */
export function taskKey(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

/** A task of the sizes table with its benchmark. */
export interface KnownTask extends TaskSize {
  benchmark: string;
  source: string;
}

/**
 * The benchmark whose task list holds every one of `tasks` (one benchmark for all of them, so a
 * generic name such as `qa_1` is only read as RULER's when the whole table is RULER's), with each
 * task's entry in the order given; null when no benchmark holds them all.
 * @example knownTaskSizes(['niah_single_1', 'vt'])?.[1].n // 500
 */
export function knownTaskSizes(tasks: readonly string[]): KnownTask[] | null {
  if (tasks.length === 0) return null;
  for (const b of BENCHMARK_SIZES) {
    const byKey = new Map<string, TaskSize>();
    for (const t of b.tasks) for (const name of t.names) byKey.set(taskKey(name), t);
    const found = tasks.map((t) => byKey.get(taskKey(t)));
    if (found.every((x) => x !== undefined)) {
      return (found as TaskSize[]).map((t) => ({ ...t, benchmark: b.name, source: b.source }));
    }
  }
  return null;
}
