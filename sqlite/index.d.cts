// The API and types are better-sqlite3's (@types/better-sqlite3), whichever driver index.cjs loads.
import BetterSqlite3 = require('better-sqlite3');
export = BetterSqlite3;
