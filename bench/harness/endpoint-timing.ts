import { httpGet } from './processes';
import { median } from './stats';

/**
 * Median time of a real HTTP GET of each path, in ms. `warmUp` passes over
 * every path first, so no figure carries a fresh process's JIT warm-up or a
 * cold page cache; then the timed passes go round all paths in turn, so a
 * moment of load from elsewhere on the machine falls on all of them alike.
 * Any answer but 200 throws.
 */
export async function medianGetTimes(port: number, paths: readonly string[], options: { warmUp: number; passes: number }): Promise<Record<string, number>> {
  for (let pass = 0; pass < options.warmUp; pass++) for (const path of paths) await httpGet(port, path, 120_000);
  const samples = new Map<string, number[]>(paths.map((path) => [path, []]));
  for (let pass = 0; pass < options.passes; pass++) {
    for (const path of paths) {
      const started = performance.now();
      const answer = await httpGet(port, path, 120_000);
      if (answer?.status !== 200) throw new Error(`${path} answered ${answer?.status}: ${answer?.text.slice(0, 200)}`);
      samples.get(path)!.push(performance.now() - started);
    }
  }
  return Object.fromEntries([...samples].map(([path, times]) => [path, median(times)]));
}
