import type { MerchantCategory } from './feature-spec';
import type { Rng } from './prng';

/** How a merchant category shapes legitimate spending. */
interface CategoryProfile {
  /** Typical local hour and its spread. */
  readonly hourMean: number;
  readonly hourSd: number;
  /** Multiplies the customer's usual amount (a TV costs more than bread). */
  readonly amountFactor: number;
  /** Share among physical terminals and among online merchants. */
  readonly physicalWeight: number;
  readonly onlineWeight: number;
}

export const CATEGORY_PROFILES: Readonly<Record<MerchantCategory, CategoryProfile>> = {
  grocery: { hourMean: 15, hourSd: 3.5, amountFactor: 1.0, physicalWeight: 0.24, onlineWeight: 0 },
  restaurant: { hourMean: 19.5, hourSd: 2.5, amountFactor: 0.9, physicalWeight: 0.22, onlineWeight: 0 },
  fuel: { hourMean: 13, hourSd: 4, amountFactor: 0.9, physicalWeight: 0.14, onlineWeight: 0 },
  online_retail: { hourMean: 20, hourSd: 3.5, amountFactor: 1.1, physicalWeight: 0, onlineWeight: 0.6 },
  travel: { hourMean: 12, hourSd: 3.5, amountFactor: 1.6, physicalWeight: 0.07, onlineWeight: 0.15 },
  electronics: { hourMean: 15, hourSd: 3, amountFactor: 1.5, physicalWeight: 0.08, onlineWeight: 0.12 },
  entertainment: { hourMean: 20.5, hourSd: 2.5, amountFactor: 0.8, physicalWeight: 0.1, onlineWeight: 0.13 },
  health: { hourMean: 11, hourSd: 2.5, amountFactor: 0.9, physicalWeight: 0.1, onlineWeight: 0 },
};

const CATEGORY_NAMES = Object.keys(CATEGORY_PROFILES) as MerchantCategory[];

/** Side of the square map, in km. */
export const MAP_SIZE_KM = 100;
/** Physical terminals a customer typically has within reach of home. */
const TERMINALS_IN_REACH = 25;
/** Share of terminals that are online merchants (card not present, no location). */
const ONLINE_TERMINAL_SHARE = 0.05;

export interface Customer {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly meanAmount: number;
  readonly sdAmount: number;
  readonly txPerDay: number;
  /** Probability that a legitimate purchase is made online. */
  readonly onlineShare: number;
  /** Physical terminals near home, where everyday purchases happen. */
  readonly nearbyTerminals: readonly number[];
  /** The few online shops this customer uses. */
  readonly favouriteOnline: readonly number[];
}

export interface Terminal {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly category: MerchantCategory;
  readonly online: boolean;
}

export interface World {
  readonly customers: readonly Customer[];
  readonly terminals: readonly Terminal[];
  readonly physicalTerminals: readonly number[];
  readonly onlineTerminals: readonly number[];
}

/**
 * Customer and terminal profiles as in the Fraud Detection Handbook: homes and
 * terminals uniform on a square map, amounts ~ N(mean, mean/2), transactions
 * per day uniform in [0, 4); plus online merchants and category habits so
 * that card-not-present fraud has something to stand out against.
 */
export function createWorld(rng: Rng, customerCount: number, terminalCount: number): World {
  const onlineCount = Math.max(4, Math.round(terminalCount * ONLINE_TERMINAL_SHARE));
  const physicalCount = Math.max(1, terminalCount - onlineCount);
  const physicalWeights = CATEGORY_NAMES.map((name) => CATEGORY_PROFILES[name].physicalWeight);
  const onlineWeights = CATEGORY_NAMES.map((name) => CATEGORY_PROFILES[name].onlineWeight);

  const terminals: Terminal[] = [];
  for (let id = 0; id < physicalCount + onlineCount; id++) {
    const online = id >= physicalCount;
    const category = CATEGORY_NAMES[rng.weighted(online ? onlineWeights : physicalWeights)] as MerchantCategory;
    terminals.push({ id, x: rng.uniform(0, MAP_SIZE_KM), y: rng.uniform(0, MAP_SIZE_KM), category, online });
  }
  const physicalTerminals = terminals.filter((t) => !t.online).map((t) => t.id);
  const onlineTerminals = terminals.filter((t) => t.online).map((t) => t.id);

  // Radius giving ~TERMINALS_IN_REACH terminals around a home whatever the map density.
  const reachKm = Math.sqrt((TERMINALS_IN_REACH * MAP_SIZE_KM * MAP_SIZE_KM) / (Math.PI * physicalCount));

  const customers: Customer[] = [];
  for (let id = 0; id < customerCount; id++) {
    const x = rng.uniform(0, MAP_SIZE_KM);
    const y = rng.uniform(0, MAP_SIZE_KM);
    const meanAmount = rng.uniform(5, 100);
    let nearbyTerminals = physicalTerminals.filter((t) => distance(x, y, terminals[t] as Terminal) < reachKm);
    if (nearbyTerminals.length === 0) {
      nearbyTerminals = [...physicalTerminals].sort((a, b) => distance(x, y, terminals[a] as Terminal) - distance(x, y, terminals[b] as Terminal)).slice(0, 3);
    }
    const favouriteOnline = Array.from({ length: 1 + rng.int(4) }, () => rng.pick(onlineTerminals));
    customers.push({
      id,
      x,
      y,
      meanAmount,
      sdAmount: meanAmount / 2,
      txPerDay: rng.uniform(0, 4),
      onlineShare: rng.uniform(0.02, 0.25),
      nearbyTerminals,
      favouriteOnline,
    });
  }
  return { customers, terminals, physicalTerminals, onlineTerminals };
}

export function distance(x: number, y: number, terminal: Terminal): number {
  return Math.hypot(x - terminal.x, y - terminal.y);
}
