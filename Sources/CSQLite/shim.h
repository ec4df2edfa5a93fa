// The system SQLite, plus static inline wrappers for what Swift cannot call: the destructor constants are
// casts of integers to function pointers (not importable macros), and sqlite3_db_config is variadic.
// No code of our own lives in C beyond these one-liners.
#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT: SQLite copies the bound bytes before the bind call returns.
static inline sqlite3_destructor_type csqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// SQLITE_STATIC: the bound bytes outlive the statement's use of them (the caller guarantees it).
static inline sqlite3_destructor_type csqlite_static(void) {
    return SQLITE_STATIC;
}

/// sqlite3_db_config for the integer on/off options (SQLITE_DBCONFIG_DQS_DML, _DEFENSIVE, ...).
/// Returns SQLITE_OK or an error code; the resulting setting is not reported back.
static inline int csqlite_db_config_flag(sqlite3 *db, int op, int value) {
    return sqlite3_db_config(db, op, value, (int *)0);
}

#endif
