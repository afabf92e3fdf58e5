import { simulateTransactions } from './packages/training/src/simulator';
for (const size of ['tiny', 'default'] as const) {
  const t0 = performance.now();
  const r = simulateTransactions({ seed: 42, size });
  const t1 = performance.now();
  const n = r.transactions.length;
  const by: Record<string, number> = {};
  for (const tx of r.transactions) by[tx.scenario] = (by[tx.scenario] ?? 0) + 1;
  const fraud = r.transactions.filter((t) => t.label === 1).length;
  console.log(size, n, 'fraud', fraud, (fraud / n * 100).toFixed(2) + '%', by, (t1 - t0).toFixed(0) + 'ms');
  console.log(r.transactions.slice(1000, 1003).map((t) => JSON.stringify(t.features)).join('\n'));
  const f = r.transactions.filter((t) => t.scenario === 'compromised_card').slice(0, 3);
  console.log(f.map((t) => JSON.stringify(t.features)).join('\n'));
}
