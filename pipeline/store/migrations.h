/*
 * migrations.h — the schema migrations compiled into the binary from
 * schema/NNN_*.sql (see scripts/embed-schema), in order.
 */
#ifndef CS_MIGRATIONS_H
#define CS_MIGRATIONS_H

typedef struct cs_migration {
    int version;
    const char *name;
    const char *sql;
} cs_migration;

extern const cs_migration cs_migrations[];
extern const int cs_migration_count;

#endif
