import type { Rng } from './prng';
import { roundAmount, SECONDS_PER_DAY, wrapHour, type RawTransaction } from './raw-transactions';
import { distance, type World } from './world';

export interface FraudRates {
  /** Scenario (a): every amount above this is fraud. */
  readonly largeAmountThreshold: number;
  /** Scenario (b): expected terminals compromised per day, and for how long. */
  readonly terminalsPerDay: number;
  readonly terminalDays: number;
  /** Scenario (c): expected cards compromised per day, and for how long. */
  readonly cardsPerDay: number;
  readonly cardDays: number;
}

/**
 * Compromised cards (handbook scenario 3): for `cardDays` after the leak a
 * third of the customer's transactions are the fraudster's, with amounts x5.
 * Unlike the handbook, the fraudster also behaves differently, so the
 * history features have something to learn: mostly card-not-present at an
 * online shop, far from the customer's home, often at night, sometimes in
 * quick bursts that raise velocity.
 */
export function applyCompromisedCards(rng: Rng, world: World, transactions: RawTransaction[], totalDays: number, rates: FraudRates): void {
  const byCustomer = new Map<number, RawTransaction[]>();
  for (const tx of transactions) {
    let list = byCustomer.get(tx.customerId);
    if (!list) byCustomer.set(tx.customerId, (list = []));
    list.push(tx);
  }
  const compromisedUntil = new Int32Array(world.customers.length);
  const added: RawTransaction[] = [];
  for (let day = 0; day < totalDays; day++) {
    const count = rng.poisson(rates.cardsPerDay);
    for (let k = 0; k < count; k++) {
      const customerId = rng.int(world.customers.length);
      if (compromisedUntil[customerId]! > day) continue; // already in a fraudster's hands
      const end = Math.min(totalDays, day + rates.cardDays);
      compromisedUntil[customerId] = end;
      for (const tx of byCustomer.get(customerId) ?? []) {
        if (tx.day >= day && tx.day < end && tx.scenario === 'legit' && rng.chance(1 / 3)) fraudsterUse(rng, world, tx, tx.amount * 5);
      }
      for (let burstDay = day; burstDay < end; burstDay++) {
        if (!rng.chance(0.15)) continue;
        const base = burstDay * SECONDS_PER_DAY + Math.floor(rng.uniform(0, SECONDS_PER_DAY - 3600));
        const size = 2 + rng.int(3);
        for (let b = 0; b < size; b++) {
          const customer = world.customers[customerId]!;
          const tx: RawTransaction = {
            time: base + rng.int(1800),
            day: burstDay,
            customerId,
            terminalId: 0,
            category: 'grocery',
            amount: 0,
            cardPresent: true,
            distanceKm: 0,
            scenario: 'legit',
          };
          fraudsterUse(rng, world, tx, Math.abs(rng.normal(customer.meanAmount, customer.sdAmount)) * 5, true);
          added.push(tx);
        }
      }
    }
  }
  transactions.push(...added);
}

/** Turns `tx` into a fraudster's purchase with the given amount. */
function fraudsterUse(rng: Rng, world: World, tx: RawTransaction, amount: number, keepTime = false): void {
  const customer = world.customers[tx.customerId]!;
  if (rng.chance(0.75)) {
    // Card details used online; the device is wherever the fraudster is.
    tx.terminalId = rng.pick(world.onlineTerminals);
    tx.cardPresent = false;
    tx.distanceKm = Math.min(20_000, Math.exp(rng.normal(Math.log(400), 1)));
  } else {
    // Cloned card used in person, anywhere on the map.
    tx.terminalId = rng.pick(world.physicalTerminals);
    tx.cardPresent = true;
    tx.distanceKm = distance(customer.x, customer.y, world.terminals[tx.terminalId]!);
  }
  tx.category = world.terminals[tx.terminalId]!.category;
  if (!keepTime && rng.chance(0.6)) tx.time = tx.day * SECONDS_PER_DAY + Math.floor(wrapHour(rng.normal(3, 1.5)) * 3600);
  tx.amount = roundAmount(amount);
  tx.scenario = 'compromised_card';
}

/**
 * Compromised terminals (handbook scenario 2): a skimmer on a physical
 * terminal makes every transaction there fraud for `terminalDays`. Only the
 * terminal's fraud history (terminal_risk_28d) can reveal it.
 */
export function applyCompromisedTerminals(rng: Rng, world: World, transactions: RawTransaction[], totalDays: number, rates: FraudRates): void {
  const compromisedFrom = new Int32Array(world.terminals.length).fill(-1);
  const compromisedUntil = new Int32Array(world.terminals.length);
  // Days on which each terminal is compromised, as [from, until) windows.
  const windows: Array<Array<[number, number]>> = world.terminals.map(() => []);
  for (let day = 0; day < totalDays; day++) {
    const count = rng.poisson(rates.terminalsPerDay);
    for (let k = 0; k < count; k++) {
      const terminalId = rng.pick(world.physicalTerminals);
      if (compromisedFrom[terminalId]! >= 0 && compromisedUntil[terminalId]! > day) continue;
      compromisedFrom[terminalId] = day;
      compromisedUntil[terminalId] = day + rates.terminalDays;
      windows[terminalId]!.push([day, day + rates.terminalDays]);
    }
  }
  for (const tx of transactions) {
    if (tx.scenario !== 'legit') continue;
    for (const [from, until] of windows[tx.terminalId]!) {
      if (tx.day >= from && tx.day < until) {
        tx.scenario = 'compromised_terminal';
        break;
      }
    }
  }
}

/** Large amounts (handbook scenario 1): any amount above the threshold is fraud. */
export function applyLargeAmounts(transactions: RawTransaction[], rates: FraudRates): void {
  for (const tx of transactions) if (tx.scenario === 'legit' && tx.amount > rates.largeAmountThreshold) tx.scenario = 'large_amount';
}
