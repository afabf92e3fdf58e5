import { expect } from 'chai';
import { FEATURE_SPECS, simulateTransactions, type SimulatedTransaction, type SimulationResult } from '../src/index';

const DAY = 86_400;

describe('training: transaction simulator', () => {
  let sim: SimulationResult;
  before(() => {
    sim = simulateTransactions({ seed: 11, size: 'tiny' });
  });

  it('produces fraud from every scenario, at a plausible overall rate', () => {
    const counts = new Map<string, number>();
    for (const tx of sim.transactions) counts.set(tx.scenario, (counts.get(tx.scenario) ?? 0) + 1);
    for (const scenario of ['large_amount', 'compromised_terminal', 'compromised_card']) {
      expect(counts.get(scenario) ?? 0, scenario).to.be.greaterThan(20);
    }
    const fraud = sim.transactions.filter((tx) => tx.label === 1).length;
    expect(fraud / sim.transactions.length).to.be.within(0.003, 0.05);
    for (const tx of sim.transactions) expect(tx.label).to.equal(tx.scenario === 'legit' ? 0 : 1);
  });

  it('labels every amount above the threshold as fraud', () => {
    for (const tx of sim.transactions) if (tx.features.amount > sim.fraudRates.largeAmountThreshold) expect(tx.label).to.equal(1);
  });

  it('makes card fraud look different from legitimate use (so a model can learn it)', () => {
    const share = (txs: SimulatedTransaction[], test: (tx: SimulatedTransaction) => boolean) => txs.filter(test).length / txs.length;
    const card = sim.transactions.filter((tx) => tx.scenario === 'compromised_card');
    const legit = sim.transactions.filter((tx) => tx.scenario === 'legit');
    const notPresent = (tx: SimulatedTransaction) => !tx.features.card_present;
    const night = (tx: SimulatedTransaction) => tx.features.hour_of_day < 6;
    const far = (tx: SimulatedTransaction) => tx.features.distance_from_home_km > 50;
    expect(share(card, notPresent)).to.be.greaterThan(share(legit, notPresent) + 0.3);
    expect(share(card, night)).to.be.greaterThan(share(legit, night) + 0.2);
    expect(share(card, far)).to.be.greaterThan(share(legit, far) + 0.3);
  });

  it('emits values that the model spec accepts', () => {
    // Plain checks collected first: one chai assertion per value is slow on ~50k rows.
    const problems: string[] = [];
    for (const tx of sim.transactions) {
      const features = tx.features as Record<string, unknown>;
      for (const spec of FEATURE_SPECS) {
        const value = features[spec.name];
        const ok =
          spec.type === 'boolean'
            ? typeof value === 'boolean'
            : spec.type === 'categorical'
              ? typeof value === 'string' && spec.categories.includes(value)
              : typeof value === 'number' && value >= spec.min && value <= spec.max && (spec.type === 'number' || Number.isInteger(value));
        if (!ok && problems.length < 5) problems.push(`transaction ${tx.id}: ${spec.name} = ${JSON.stringify(value)}`);
      }
      if (Object.keys(features).length !== FEATURE_SPECS.length && problems.length < 5) problems.push(`transaction ${tx.id} has extra features`);
    }
    expect(problems).to.deep.equal([]);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const small = { size: 'tiny', customers: 150, terminals: 150, days: 14 } as const;
    const a = JSON.stringify(simulateTransactions({ ...small, seed: 3 }).transactions);
    const b = JSON.stringify(simulateTransactions({ ...small, seed: 3 }).transactions);
    const c = JSON.stringify(simulateTransactions({ ...small, seed: 4 }).transactions);
    expect(a).to.equal(b);
    expect(a).to.not.equal(c);
  });

  it('computes every feature from the past only (brute-force recomputation)', () => {
    // No warm-up, so the returned transactions are the whole history.
    const full = simulateTransactions({ seed: 5, size: 'tiny', customers: 250, terminals: 250, days: 50, warmupDays: 0 });
    const txs = full.transactions;
    for (let i = 1; i < txs.length; i++) expect(txs[i]!.time).to.be.at.least(txs[i - 1]!.time);
    // Every 37th transaction: recompute its features looking only at transactions
    // that come strictly before it and at labels at least 7 days old.
    for (let k = 0; k < txs.length; k += 37) {
      const tx = txs[k]!;
      const earlier = txs.slice(0, k).filter((o) => o.customerId === tx.customerId);
      const last24h = earlier.filter((o) => o.time > tx.time - DAY);
      const last7d = earlier.filter((o) => o.time > tx.time - 7 * DAY);
      const cents7d = last7d.reduce((sum, o) => sum + Math.round(o.features.amount * 100), 0);
      const ratio = last7d.length === 0 ? 1 : Math.round((tx.features.amount / (cents7d / 100 / last7d.length)) * 1e4) / 1e4;
      const known = txs.filter((o) => o.terminalId === tx.terminalId && o.day < tx.day - 7 && o.day >= tx.day - 35);
      const fraud = known.filter((o) => o.label === 1).length;
      const risk = known.length === 0 ? 0 : Math.round((fraud / known.length) * 1e4) / 1e4;
      const where = `transaction ${k}`;
      expect(tx.features.velocity, where).to.equal(last24h.length);
      expect(tx.features.customer_tx_count_7d, where).to.equal(last7d.length);
      expect(tx.features.amount_to_avg_ratio_7d, where).to.equal(ratio);
      expect(tx.features.terminal_risk_28d, where).to.equal(risk);
      expect(tx.features.hour_of_day, where).to.equal(Math.floor((tx.time % DAY) / 3600));
      expect(tx.features.is_weekend, where).to.equal(tx.day % 7 >= 5);
    }
  });
});
