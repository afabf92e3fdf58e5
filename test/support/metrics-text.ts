/** The value of an unlabelled (or first labelled) sample in Prometheus text output; NaN when absent. */
export function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line === undefined ? Number.NaN : Number(line.split(' ').pop());
}
