import type { MerchantCategory } from './feature-spec';
import type { Rng } from './prng';
import { CATEGORY_PROFILES, distance, type Customer, type World } from './world';

export const SECONDS_PER_DAY = 86_400;

export type FraudScenario = 'legit' | 'large_amount' | 'compromised_terminal' | 'compromised_card';

/** A transaction before its history features are computed; fraud scenarios edit it in place. */
export interface RawTransaction {
  time: number;
  day: number;
  readonly customerId: number;
  terminalId: number;
  category: MerchantCategory;
  amount: number;
  cardPresent: boolean;
  distanceKm: number;
  scenario: FraudScenario;
}

/** Share of legitimate in-person purchases made away from home (trips). */
const TRAVEL_SHARE = 0.01;
/** Share of legitimate online purchases whose device is far from home (VPN, travel). */
const REMOTE_DEVICE_SHARE = 0.03;

/** Legitimate activity of every customer on every day, in day order. */
export function generateLegitTransactions(rng: Rng, world: World, totalDays: number): RawTransaction[] {
  const transactions: RawTransaction[] = [];
  for (let day = 0; day < totalDays; day++) {
    for (const customer of world.customers) {
      const count = rng.poisson(customer.txPerDay);
      for (let i = 0; i < count; i++) transactions.push(legitTransaction(rng, world, customer, day));
    }
  }
  return transactions;
}

function legitTransaction(rng: Rng, world: World, customer: Customer, day: number): RawTransaction {
  let terminalId: number;
  let distanceKm: number;
  if (rng.chance(customer.onlineShare)) {
    terminalId = rng.pick(customer.favouriteOnline);
    // Online: the "location" is the buyer's device, normally at home.
    distanceKm = rng.chance(REMOTE_DEVICE_SHARE) ? rng.uniform(20, 800) : Math.abs(rng.normal(0, 4));
  } else {
    terminalId = rng.chance(TRAVEL_SHARE) ? rng.pick(world.physicalTerminals) : rng.pick(customer.nearbyTerminals);
    distanceKm = distance(customer.x, customer.y, world.terminals[terminalId]!);
  }
  const terminal = world.terminals[terminalId]!;
  const profile = CATEGORY_PROFILES[terminal.category];
  const hour = wrapHour(rng.normal(profile.hourMean, profile.hourSd));
  const mean = customer.meanAmount * profile.amountFactor;
  const sd = customer.sdAmount * profile.amountFactor;
  let amount = rng.normal(mean, sd);
  if (amount < 0) amount = rng.uniform(0, 2 * mean); // as in the handbook: redraw negatives
  return {
    time: day * SECONDS_PER_DAY + Math.floor(hour * 3600),
    day,
    customerId: customer.id,
    terminalId,
    category: terminal.category,
    amount: roundAmount(amount),
    cardPresent: !terminal.online,
    distanceKm,
    scenario: 'legit',
  };
}

/** Hour in [0, 24) from a possibly out-of-range draw (22.5 + 3 is 1:30 the same night, kept on the same day). */
export function wrapHour(hour: number): number {
  const wrapped = ((hour % 24) + 24) % 24;
  return wrapped >= 24 ? 0 : wrapped;
}

/** Cents, and never zero so ratios of amounts stay finite. */
export function roundAmount(amount: number): number {
  return Math.max(0.01, Math.round(amount * 100) / 100);
}
