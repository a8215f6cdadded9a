import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  EMAIL_DOMAINS,
  FIRST_NAMES,
  GAME_TAGS,
  GAME_TITLES,
  LAST_NAMES,
  PRODUCT_ADJECTIVES,
  PRODUCT_CATALOGUE,
  RECENT_ORDER_STATUSES,
  REGIONS,
  SETTLED_ORDER_STATUSES,
} from './demo-names.ts';

const SEED = 20240601;
const CUSTOMER_COUNT = 2000;
const ORDER_COUNT = 6000;
const GAME_COUNT = 900;
const HOST_COUNT = 3;
/** All generated dates fall in this window, so the data does not depend on the day it is built. */
const START_MS = Date.UTC(2022, 0, 1);
const END_MS = Date.UTC(2025, 5, 30, 23, 59, 59);
const DAY_MS = 86_400_000;
/** Orders this close to the end of the window may still be pending or shipped. */
const RECENT_DAYS = 45;
const QUANTITIES: readonly (readonly [number, number])[] = [
  [1, 6],
  [2, 3],
  [3, 1],
  [5, 1],
];

// Declared types matter: the SQLite driver maps values by them (DATE, TIMESTAMP, DECIMAL, ...).
const SCHEMA = `
create table region (id INTEGER primary key, name TEXT not null unique);
create table customer (
  id INTEGER primary key, name TEXT not null, email TEXT not null unique,
  region_id INTEGER not null references region(id), created_at TIMESTAMP not null,
  active BOOLEAN not null, credit_limit DECIMAL not null);
create table product (
  id INTEGER primary key, name TEXT not null unique, category TEXT not null,
  unit_price DECIMAL not null);
create table orders (
  id INTEGER primary key, customer_id INTEGER not null references customer(id),
  ordered_on DATE not null, status TEXT not null, total DECIMAL not null);
create table order_item (
  order_id INTEGER not null references orders(id), product_id INTEGER not null references product(id),
  quantity INTEGER not null, price DECIMAL not null, primary key (order_id, product_id));
create table game (
  id INTEGER primary key, host_id INTEGER not null check (host_id between 1 and 3), title TEXT not null,
  played_on DATE not null, score INTEGER not null, details JSON not null);
create index customer_region_idx on customer(region_id);
create index orders_customer_idx on orders(customer_id);
create index orders_ordered_on_idx on orders(ordered_on);
create index order_item_product_idx on order_item(product_id);
create index game_host_idx on game(host_id);
`;

/** mulberry32: a tiny seeded PRNG, enough for demo data and identical on every machine. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of items) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return items[items.length - 1]![0];
  }
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function formatTimestamp(ms: number, micros: number): string {
  const d = new Date(ms);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${formatDate(ms)} ${time}.${pad(micros, 6)}`;
}

/** Money is generated in whole cents so totals add up exactly. */
const cents = (amount: number) => Math.round(amount) / 100;

type Db = Database.Database;

function insertRegions(db: Db): void {
  const insert = db.prepare('insert into region (id, name) values (?, ?)');
  for (const [index, name] of REGIONS.entries()) insert.run(index + 1, name);
}

/** Returns each customer's creation time, so orders can be placed after it. */
function insertCustomers(db: Db, rng: Rng): number[] {
  const insert = db.prepare(
    'insert into customer (id, name, email, region_id, created_at, active, credit_limit) values (?, ?, ?, ?, ?, ?, ?)',
  );
  const createdAt: number[] = [];
  for (let id = 1; id <= CUSTOMER_COUNT; id++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    const email = `${local}.${id}@${rng.pick(EMAIL_DOMAINS)}`;
    // Customers sign up during the first two thirds of the window.
    const created = START_MS + Math.floor(((END_MS - START_MS) * 2 * (id - 1)) / (3 * CUSTOMER_COUNT));
    const ms = created + rng.int(0, DAY_MS - 1);
    createdAt.push(ms);
    const limitCents = rng.int(1, 200) * 5_000; // 50.00 … 10,000.00 in steps of 50.00
    insert.run(
      id,
      `${first} ${last}`,
      email,
      rng.int(1, REGIONS.length),
      formatTimestamp(ms, rng.int(0, 999_999)),
      rng.chance(0.85) ? 1 : 0,
      cents(limitCents),
    );
  }
  return createdAt;
}

/** Returns unit prices in cents, indexed by product id − 1. */
function insertProducts(db: Db, rng: Rng): number[] {
  const insert = db.prepare('insert into product (id, name, category, unit_price) values (?, ?, ?, ?)');
  const prices: number[] = [];
  for (const [category, nouns] of Object.entries(PRODUCT_CATALOGUE)) {
    for (const noun of nouns) {
      for (const adjective of PRODUCT_ADJECTIVES) {
        const price = rng.int(199, 24_999);
        prices.push(price);
        insert.run(prices.length, `${adjective} ${noun}`, category, cents(price));
      }
    }
  }
  return prices;
}

function insertOrders(db: Db, rng: Rng, customerCreatedAt: number[], prices: number[]): void {
  const insertOrder = db.prepare(
    'insert into orders (id, customer_id, ordered_on, status, total) values (?, ?, ?, ?, ?)',
  );
  const insertItem = db.prepare(
    'insert into order_item (order_id, product_id, quantity, price) values (?, ?, ?, ?)',
  );
  for (let id = 1; id <= ORDER_COUNT; id++) {
    const customerId = rng.int(1, CUSTOMER_COUNT);
    const after = customerCreatedAt[customerId - 1]!;
    const orderedOn = after + rng.int(0, Math.floor((END_MS - after) / DAY_MS)) * DAY_MS;
    const productIds = new Set<number>();
    const itemCount = rng.int(1, 4);
    while (productIds.size < itemCount) productIds.add(rng.int(1, prices.length));
    let total = 0;
    const items: [number, number, number][] = [];
    for (const productId of productIds) {
      const quantity = rng.weighted(QUANTITIES);
      // Occasional discount on the list price.
      const price = Math.round(prices[productId - 1]! * (rng.chance(0.2) ? 0.9 : 1));
      total += price * quantity;
      items.push([productId, quantity, price]);
    }
    const statuses =
      END_MS - orderedOn < RECENT_DAYS * DAY_MS ? RECENT_ORDER_STATUSES : SETTLED_ORDER_STATUSES;
    insertOrder.run(id, customerId, formatDate(orderedOn), rng.weighted(statuses), cents(total));
    for (const [productId, quantity, price] of items) insertItem.run(id, productId, quantity, cents(price));
  }
}

function insertGames(db: Db, rng: Rng): void {
  const insert = db.prepare(
    'insert into game (id, host_id, title, played_on, score, details) values (?, ?, ?, ?, ?, ?)',
  );
  const days = Math.floor((END_MS - START_MS) / DAY_MS);
  for (let id = 1; id <= GAME_COUNT; id++) {
    const hostId = ((id - 1) % HOST_COUNT) + 1;
    const title = `${rng.pick(GAME_TITLES)} #${Math.ceil(id / HOST_COUNT)}`;
    const players = rng.int(2, 12);
    const details = {
      players,
      rounds: rng.int(3, 10),
      winner: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
      tags: [...new Set([rng.pick(GAME_TAGS), rng.pick(GAME_TAGS)])],
      online: rng.chance(0.4),
    };
    const playedOn = START_MS + rng.int(0, days) * DAY_MS;
    insert.run(id, hostId, title, formatDate(playedOn), rng.int(0, 100 * players), JSON.stringify(details));
  }
}

/**
 * Creates the demo SQLite database at `file` unless a file already exists there. The content is
 * deterministic (seeded), so every installation gets the same rows. The database is built under
 * a temporary name and renamed into place, so a crash never leaves a half-filled demo file.
 */
export function createDemoDatabase(file: string): void {
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  const db = new Database(temporary);
  try {
    const rng = new Rng(SEED);
    db.transaction(() => {
      db.exec(SCHEMA);
      insertRegions(db);
      const customerCreatedAt = insertCustomers(db, rng);
      const prices = insertProducts(db, rng);
      insertOrders(db, rng, customerCreatedAt, prices);
      insertGames(db, rng);
    })();
    db.exec('analyze');
    db.close();
    if (!existsSync(file)) renameSync(temporary, file);
  } finally {
    if (db.open) db.close();
    rmSync(temporary, { force: true });
  }
}
