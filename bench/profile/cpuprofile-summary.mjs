// Summarises a V8 .cpuprofile (node --cpu-prof): self time by package and by function,
// and, with a count, inclusive time of the top functions.
// usage: node bench/profile/cpuprofile-summary.mjs FILE.cpuprofile [INCLUSIVE_ROWS]
import { readFileSync } from 'node:fs';
import process from 'node:process';
import console from 'node:console';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  total += delta;
  self.set(id, (self.get(id) ?? 0) + delta);
});
const where = (url) => url.replace(/.*node_modules\//, 'nm/').replace(/^file:\/\/.*?\/(apps|packages|bench)\//, '$1/');
const functionOf = (node) => `${node.callFrame.functionName || '(anon)'} ${where(node.callFrame.url)}:${node.callFrame.lineNumber}`;
const packageOf = (node) => {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName;
  const dependency = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1];
  const own = /\/((apps|packages|bench)\/[^/]+\/[^/]+)/.exec(url);
  return own ? own[1] : url.startsWith('node:') ? url : 'other';
};
const add = (map, key, value) => map.set(key, (map.get(key) ?? 0) + value);
const selfByFunction = new Map();
const selfByPackage = new Map();
const inclusive = new Map();
for (const [id, time] of self) {
  const node = byId.get(id);
  add(selfByFunction, functionOf(node), time);
  add(selfByPackage, packageOf(node), time);
  // Each function counted once per sample, however often it recurses.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const key = functionOf(byId.get(at));
    if (!seen.has(key)) add(inclusive, key, time);
    seen.add(key);
  }
}
const top = (map, rows) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([key, time]) => `${((time / total) * 100).toFixed(1).padStart(5)}%  ${key}`)
    .join('\n');
console.log(`total ${(total / 1000).toFixed(0)} ms`);
console.log(`--- self by package\n${top(selfByPackage, 25)}`);
console.log(`--- self by function\n${top(selfByFunction, 40)}`);
if (process.argv[3]) console.log(`--- inclusive\n${top(inclusive, Number(process.argv[3]))}`);
