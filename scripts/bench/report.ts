/**
 * Turns the per-repetition figures into the summary (medians, min–max, ratios
 * to raw `ws` from the same repetition) and the Markdown tables.
 */
import { spread, type Spread } from './stats.js';

export type MetricKey = 'tput64' | 'tput16k' | 'rttP50' | 'rttP99' | 'heap' | 'opens' | 'reopen' | 'cpu64' | 'cpu16k';

export const METRICS: Record<MetricKey, { label: string; unit: string; higherIsBetter: boolean; digits: number }> = {
  tput64: { label: '64 B msgs/s', unit: 'msgs/s', higherIsBetter: true, digits: 0 },
  tput16k: { label: '16 KiB msgs/s', unit: 'msgs/s', higherIsBetter: true, digits: 0 },
  rttP50: { label: 'RTT p50', unit: 'µs', higherIsBetter: false, digits: 1 },
  rttP99: { label: 'RTT p99', unit: 'µs', higherIsBetter: false, digits: 1 },
  heap: { label: 'heap/idle conn', unit: 'KiB', higherIsBetter: false, digits: 2 },
  opens: { label: '1000 opens', unit: 'ms', higherIsBetter: false, digits: 0 },
  reopen: { label: 'reopen', unit: 'ms', higherIsBetter: false, digits: 3 },
  cpu64: { label: 'client CPU per 64 B msg', unit: 'µs', higherIsBetter: false, digits: 2 },
  cpu16k: { label: 'client CPU per 16 KiB msg', unit: 'µs', higherIsBetter: false, digits: 2 },
};

/** Goals for the Minch actor: a ratio to raw ws, or an absolute value for heap. */
export const GOALS: { metric: MetricKey; kind: 'ratio' | 'absolute'; op: '>=' | '<='; target: number; text: string }[] =
  [
    { metric: 'tput64', kind: 'ratio', op: '>=', target: 0.97, text: '64 B throughput ≥ 0.97× ws' },
    { metric: 'tput16k', kind: 'ratio', op: '>=', target: 0.97, text: '16 KiB throughput ≥ 0.97× ws' },
    { metric: 'rttP50', kind: 'ratio', op: '<=', target: 1.05, text: 'RTT p50 ≤ 1.05× ws' },
    { metric: 'rttP99', kind: 'ratio', op: '<=', target: 1.5, text: 'RTT p99 ≤ 1.5× ws' },
    { metric: 'heap', kind: 'absolute', op: '<=', target: 5.8, text: 'heap per idle connection ≤ 5.8 KiB' },
    { metric: 'opens', kind: 'ratio', op: '<=', target: 1.2, text: '1,000 concurrent opens ≤ 1.2× ws (time)' },
    { metric: 'reopen', kind: 'ratio', op: '<=', target: 1.3, text: 'reopen ≤ 1.3× ws' },
  ];

/** raw[client][metric] = one value per repetition. */
export type Raw = Record<string, Partial<Record<MetricKey, number[]>>>;

export interface MetricSummary extends Spread {
  unit: string;
  /** This client's value divided by ws's value of the same repetition. */
  ratio: Spread;
}

export type Summary = Record<string, Partial<Record<MetricKey, MetricSummary>>>;

export function summarise(raw: Raw, baseline: string): Summary {
  const out: Summary = {};
  for (const [client, metrics] of Object.entries(raw)) {
    out[client] = {};
    for (const [key, values] of Object.entries(metrics) as [MetricKey, number[]][]) {
      const base = raw[baseline]?.[key] ?? [];
      const ratios = values.map((v, i) => v / (base[i] as number));
      (out[client] as Record<string, MetricSummary>)[key] = {
        unit: METRICS[key].unit,
        ...spread(values),
        ratio: spread(ratios),
      };
    }
  }
  return out;
}

export interface GoalResult {
  goal: string;
  measured: string;
  met: boolean;
  /** How far the median is past the target, as a fraction of the target (0 when met). */
  miss: number;
}

export function checkGoals(s: Summary, client: string): GoalResult[] {
  return GOALS.flatMap((g) => {
    const m = s[client]?.[g.metric];
    if (m === undefined) return [];
    const v = g.kind === 'ratio' ? m.ratio : m;
    const fmt = (x: number): string => (g.kind === 'ratio' ? `${x.toFixed(2)}×` : `${x.toFixed(2)} KiB`);
    const met = g.op === '>=' ? v.median >= g.target : v.median <= g.target;
    const miss = met ? 0 : Math.abs(v.median - g.target) / g.target;
    return [{ goal: g.text, measured: `${fmt(v.median)} (${fmt(v.min)}–${fmt(v.max)})`, met, miss }];
  });
}

const num = (x: number, digits: number): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const x2 = (r: number): string => `${r.toFixed(2)}×`;

/** One cell: the median value, then (except for the baseline) the median ratio. */
function cell(m: MetricSummary | undefined, key: MetricKey, isBase: boolean): string {
  if (m === undefined) return '–';
  const v = `${num(m.median, METRICS[key].digits)} ${METRICS[key].unit}`;
  return isBase ? v : `${v} (${x2(m.ratio.median)})`;
}

/** One spread cell: min–max of the value for the baseline, of the ratio for the others. */
function rangeCell(m: MetricSummary | undefined, key: MetricKey, isBase: boolean): string {
  if (m === undefined) return '–';
  return isBase
    ? `${num(m.min, METRICS[key].digits)}–${num(m.max, METRICS[key].digits)}`
    : `${x2(m.ratio.min)}–${x2(m.ratio.max)}`;
}

type Columns = { title: string; keys: MetricKey[] }[];

const COLUMNS: Columns = [
  { title: '64 B msgs/s', keys: ['tput64'] },
  { title: '16 KiB msgs/s', keys: ['tput16k'] },
  { title: 'RTT p50 / p99', keys: ['rttP50', 'rttP99'] },
  { title: 'heap/idle conn', keys: ['heap'] },
  { title: '1000 opens', keys: ['opens'] },
  { title: 'reopen', keys: ['reopen'] },
];

/** Diagnostic: the client's own CPU time per echoed message in the throughput cases. */
const CPU_COLUMNS: Columns = [
  { title: 'CPU µs per 64 B msg (min–max)', keys: ['cpu64'] },
  { title: 'CPU µs per 16 KiB msg (min–max)', keys: ['cpu16k'] },
];

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

export function markdown(
  s: Summary,
  labels: Record<string, string>,
  baseline: string,
  goalClient: string,
  header: string,
): string {
  const clients = Object.keys(s);
  const headOf = (cols: Columns): string[] => [
    row(['client', ...cols.map((c) => c.title)]),
    row(['---', ...cols.map(() => '---')]),
  ];
  const head = headOf(COLUMNS);
  const table = (f: typeof cell, cols = COLUMNS): string[] =>
    clients.map((c) =>
      row([labels[c] ?? c, ...cols.map((col) => col.keys.map((k) => f(s[c]?.[k], k, c === baseline)).join(' / '))]),
    );
  const both = (m: MetricSummary | undefined, k: MetricKey, isBase: boolean): string =>
    m === undefined ? '–' : `${cell(m, k, isBase)}, ${num(m.min, METRICS[k].digits)}–${num(m.max, METRICS[k].digits)}`;
  const goals = checkGoals(s, goalClient);
  return [
    header,
    '',
    `Medians over the repetitions; in brackets, the median of the per-repetition ratio to ${labels[baseline]} (higher is better for msgs/s, lower for everything else).`,
    '',
    ...head,
    ...table(cell),
    '',
    `Spread over the repetitions: min–max of the value for ${labels[baseline]}, min–max of the ratio for the others.`,
    '',
    ...head,
    ...table(rangeCell),
    '',
    `Goals for ${labels[goalClient]} (judged on the median; min–max in brackets):`,
    '',
    row(['goal', 'measured', 'met']),
    row(['---', '---', '---']),
    ...goals.map((g) => row([g.goal, g.measured, g.met ? 'met' : `**not met** (${(g.miss * 100).toFixed(0)}% off)`])),
    '',
    "Diagnostic, not a goal: the client process's CPU time per echoed message in the throughput cases (`process.cpuUsage`).",
    "With the echo server on the other core, msgs/s can be capped by the server; CPU per message is the client's own cost.",
    '',
    ...headOf(CPU_COLUMNS),
    ...table(both, CPU_COLUMNS),
    '',
  ].join('\n');
}
