import { loadavg } from 'node:os';
import { machineInfo, type BenchmarkResult, type Figure } from './results';

export interface BenchContext {
  readonly quick: boolean;
  /** The command line that started this run, for the report. */
  readonly command: string;
  /** Progress lines for the person running the benchmark. */
  log(message: string): void;
}

export interface Benchmark {
  readonly name: string;
  run(ctx: BenchContext): Promise<BenchmarkResult>;
}

/** Collects a benchmark's figures and notes and stamps them with the machine and the time taken. */
export class ResultBuilder {
  private readonly started = Date.now();
  private readonly machine = machineInfo();
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];
  readonly details: Record<string, unknown> = {};

  constructor(
    private readonly ctx: BenchContext,
    private readonly name: string,
    private readonly title: string,
    private readonly method: string,
  ) {}

  figure(figure: Figure): void {
    this.figures.push(figure);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  build(): BenchmarkResult {
    return {
      name: this.name,
      title: this.title,
      mode: this.ctx.quick ? 'quick' : 'full',
      command: this.ctx.command,
      date: new Date(this.started).toISOString(),
      durationSeconds: Math.round((Date.now() - this.started) / 1000),
      method: this.method,
      machine: this.machine,
      figures: this.figures,
      notes: this.notes,
      details: { ...this.details, loadAverageAtEnd: Number((loadavg()[0] ?? 0).toFixed(2)) },
    };
  }
}
