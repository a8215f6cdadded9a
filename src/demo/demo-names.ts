/**
 * Fixed word lists for the demo database. Changing any list changes the generated data, so the
 * demo reports and the tests that sample it would change too.
 */

export const REGIONS = [
  'North America',
  'South America',
  'Western Europe',
  'Eastern Europe',
  'Middle East',
  'Africa',
  'South Asia',
  'East Asia',
  'Oceania',
] as const;

export const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Amara',
  'Anders',
  'Aiko',
  'Bea',
  'Bruno',
  'Carmen',
  'Chen',
  'Chloe',
  'Dara',
  'David',
  'Elena',
  'Emeka',
  'Farah',
  'Felix',
  'Grace',
  'Hana',
  'Hugo',
  'Ines',
  'Ivan',
  'Jamal',
  'Jana',
  'Jonas',
  'Kai',
  'Keiko',
  'Lars',
  'Leila',
  'Luca',
  'Maya',
  'Mateo',
  'Mei',
  'Nadia',
  'Nikhil',
  'Noor',
  'Olga',
  'Omar',
  'Priya',
  'Quinn',
  'Rafael',
  'Rosa',
  'Sam',
  'Sana',
  'Sofia',
  'Tariq',
  'Tess',
  'Uma',
  'Victor',
  'Wen',
  'Yara',
  'Yusuf',
  'Zoe',
] as const;

export const LAST_NAMES = [
  'Abbott',
  'Adeyemi',
  'Andersen',
  'Bauer',
  'Bianchi',
  'Costa',
  'Dubois',
  'Eriksson',
  'Fischer',
  'Garcia',
  'Gupta',
  'Haddad',
  'Hansen',
  'Ito',
  'Jensen',
  'Kaur',
  'Kim',
  'Kowalski',
  'Larsen',
  'Lopez',
  'Martin',
  'Moreau',
  'Nakamura',
  'Novak',
  'Okafor',
  'Olsen',
  'Patel',
  'Petrov',
  'Quispe',
  'Rossi',
  'Santos',
  'Schmidt',
  'Silva',
  'Singh',
  'Tanaka',
  'Torres',
  'Usman',
  'Van Dijk',
  'Wang',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zhang',
  'Zimmermann',
] as const;

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'] as const;

/** Category → product nouns; each noun is combined with every adjective to name products. */
export const PRODUCT_CATALOGUE: Readonly<Record<string, readonly string[]>> = {
  Office: ['Notebook', 'Stapler', 'Desk Lamp', 'Pen Set'],
  Electronics: ['Headphones', 'Keyboard', 'Monitor', 'Webcam'],
  Kitchen: ['Kettle', 'Chef Knife', 'Coffee Grinder', 'Cutting Board'],
  Outdoor: ['Backpack', 'Tent', 'Water Bottle', 'Headlamp'],
  Garden: ['Trowel', 'Hose', 'Planter', 'Pruning Shears'],
  Toys: ['Puzzle', 'Kite', 'Board Game', 'Building Blocks'],
};

export const PRODUCT_ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Pro'] as const;

/** Status weights for orders placed in the last weeks of the data window: still in flight. */
export const RECENT_ORDER_STATUSES: readonly (readonly [status: string, weight: number])[] = [
  ['pending', 30],
  ['shipped', 45],
  ['delivered', 20],
  ['cancelled', 5],
];

/** Status weights for older orders: settled one way or another. */
export const SETTLED_ORDER_STATUSES: readonly (readonly [status: string, weight: number])[] = [
  ['delivered', 84],
  ['cancelled', 10],
  ['returned', 6],
];

export const GAME_TITLES = [
  'Trivia Night',
  'Chess Ladder',
  'Quiz Bowl',
  'Crossword Sprint',
  'Pub Quiz',
  'Speed Scrabble',
  'Sudoku Duel',
  'Bridge Club',
] as const;

export const GAME_TAGS = ['casual', 'ranked', 'online', 'league', 'charity', 'finals'] as const;
