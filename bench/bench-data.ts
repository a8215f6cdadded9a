/**
 * The SQLite data the HTTP scenarios read, shared by the real server's reports and the floor
 * servers so every side runs the same statement on the same file: 100,000 rows in `item`, an
 * index on `grp` that selects 50 of them per value.
 */
import Database from 'better-sqlite3';

export const ITEM_ROWS = 100_000;
export const ROWS_PER_GROUP = 50;
/** The id the one-row scenario asks for and the group the 50-row scenario asks for. */
export const ITEM_ID = 4242;
export const ITEM_GROUP = 42;

/** Four columns of plain storage classes, so no side pays for a declared-type conversion. */
const SCHEMA = `
create table item (id INTEGER primary key, grp INTEGER not null, name TEXT not null, amount REAL not null);
create index item_grp_idx on item(grp);
`;

const COLUMNS = 'id, grp, name, amount';
/** Floor statements (`?` placeholders) and the same statements as reports (`:name` fields). */
export const ONE_ROW_SQL = `select ${COLUMNS} from item where id = ?`;
export const FIFTY_ROWS_SQL = `select ${COLUMNS} from item where grp = ?`;
export const ONE_ROW_REPORT_SQL = `select ${COLUMNS} from item where id = :_id`;
export const FIFTY_ROWS_REPORT_SQL = `select ${COLUMNS} from item where grp = :_grp`;

/** Creates the benchmark's database file (which must not exist yet). */
export function createItemDatabase(file: string): void {
  const db = new Database(file);
  try {
    db.exec(SCHEMA);
    const insert = db.prepare('insert into item (id, grp, name, amount) values (?, ?, ?, ?)');
    const groups = ITEM_ROWS / ROWS_PER_GROUP;
    db.transaction(() => {
      for (let id = 1; id <= ITEM_ROWS; id++) {
        insert.run(id, id % groups, `item ${id}`, (id % 10_000) / 100);
      }
    })();
  } finally {
    db.close();
  }
}
