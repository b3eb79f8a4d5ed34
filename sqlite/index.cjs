'use strict';
/*
 * One SQLite driver per Node, behind the better-sqlite3 API:
 * - better-sqlite3 12 is an ObjectWrap addon; on Node >= 24.19 its Statement
 *   and Database destructors abort the process when a garbage collection runs
 *   outside a JavaScript context (node::RemoveEnvironmentCleanupHook asserts,
 *   WiseLibs/better-sqlite3#1515), so it cannot serve Node 24.
 * - better-sqlite3 13 is N-API 10 with bundled prebuilds and has no such
 *   destructor, but N-API 10 is Node >= 22.14: it cannot load on Node 20.
 * Both are installed (npm aliases) and the one this Node can run is loaded.
 */
const napi = Number(process.versions.napi ?? 0);
module.exports = napi >= 10 ? require('better-sqlite3-napi') : require('better-sqlite3-classic');
