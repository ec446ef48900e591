#ifndef CSQLITE_TUNING_H
#define CSQLITE_TUNING_H

/// Turns off SQLite's memory statistics (`SQLITE_CONFIG_MEMSTATUS`): with them on, every
/// allocation and free inside SQLite takes a process-wide mutex to count bytes, which the store
/// never reads. Only effective before SQLite initialises (the first connection opened); returns
/// SQLite's result code (`SQLITE_OK`, or `SQLITE_MISUSE` when SQLite was already initialised, in
/// which case nothing changes). `sqlite3_config` is variadic, so Swift cannot call it directly.
int trailwatch_sqlite_disable_memory_statistics(void);

#endif
