import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type } from 'node:os';
import { join } from 'node:path';

/** One row of a benchmark's table: a figure for Vigil, optionally against a baseline and a target. */
export interface Figure {
  readonly figure: string;
  readonly unit: string;
  readonly vigil: number | string;
  /** What Vigil is compared with, e.g. "raw better-sqlite3"; undefined when the figure has no baseline. */
  readonly baselineName?: string;
  readonly baseline?: number | string;
  /** vigil / baseline (or whatever the row says it is), when there is one. */
  readonly ratio?: number;
  /** e.g. "≥ 0.95"; undefined when the row only informs. */
  readonly target?: string;
  /** undefined when there is no target. */
  readonly pass?: boolean;
}

export interface MachineInfo {
  readonly os: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemoryMb: number;
  readonly node: string;
  /** 1-minute load average when the benchmark started: other engineers share this machine. */
  readonly loadAverageAtStart: number;
}

export interface BenchmarkResult {
  readonly name: string;
  readonly title: string;
  readonly mode: 'quick' | 'full';
  /** The command that produced this file. */
  readonly command: string;
  readonly date: string;
  readonly durationSeconds: number;
  /** How it was measured, in a few sentences. */
  readonly method: string;
  readonly machine: MachineInfo;
  readonly figures: readonly Figure[];
  /** Sentences computed from this run's measurements (causes of a missed target, checks). */
  readonly notes: readonly string[];
  /** Every raw measurement behind the figures. */
  readonly details: Readonly<Record<string, unknown>>;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    os: `${type()} ${process.platform}/${process.arch}`,
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    loadAverageAtStart: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
}

export const RESULTS_DIR = join('bench', 'results');

export function writeResult(result: BenchmarkResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${result.name}.json`);
  writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
  return path;
}

export function readResults(): BenchmarkResult[] {
  let names: string[];
  try {
    names = readdirSync(RESULTS_DIR).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((name) => JSON.parse(readFileSync(join(RESULTS_DIR, name), 'utf8')) as BenchmarkResult);
}

export function readResult(name: string): BenchmarkResult | undefined {
  return readResults().find((result) => result.name === name);
}

/** a / b, or undefined when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}
