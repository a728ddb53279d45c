package postgres

import (
	"context"
	"embed"
	migfiles "fanclub/internal/migrations"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations in version order. Each file is
// named NNNN_description.sql.
func migrations() ([]migration, error) {
	files, err := migfiles.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	ms := make([]migration, len(files))
	for i, f := range files {
		ms[i] = migration{version: f.Version, name: f.Name, sql: f.SQL}
	}
	return ms, nil
}

// migrationLockKey is the advisory lock the migrator holds: one per
// schema, so stores in different schemas migrate independently.
func migrationLockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("fanclub schema_migrations " + schema))
	return int64(h.Sum64())
}

// migrate applies the migrations newer than the database's version, each
// in its own transaction together with its schema_migrations row, while
// holding a session advisory lock: a second process opening the database
// at the same time waits, then finds them applied.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	key := migrationLockKey(db.schema)
	if _, err := conn.Exec(ctx, qAdvisoryLock, key); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.Background(), qAdvisoryUnlock, key); err != nil {
			db.log.Error("postgres migration unlock", "err", err)
			// The lock dies with the session: drop the connection.
			_ = conn.Conn().Close(context.Background())
		}
	}()
	if _, err := conn.Exec(ctx, qCreateMigrations); err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	applied := 0
	for _, m := range ms {
		done, err := db.applyMigration(ctx, conn.Conn(), m)
		if err != nil {
			return err
		}
		if done {
			applied++
		}
	}
	db.log.Debug("postgres schema ready", "migrations", len(ms), "applied", applied)
	return nil
}

// applyMigration applies m unless it is already recorded, and reports
// whether it applied it.
func (db *DB) applyMigration(ctx context.Context, conn *pgx.Conn, m migration) (bool, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: migration %s: %w", m.name, err)
	}
	defer tx.Rollback(context.Background())
	var done bool
	if err := tx.QueryRow(ctx, qMigrationApplied, m.version).Scan(&done); err != nil {
		return false, fmt.Errorf("postgres: migration %s: %w", m.name, err)
	}
	if done {
		return false, nil
	}
	// The simple protocol runs a file of several statements.
	if _, err := tx.Exec(ctx, m.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
		return false, fmt.Errorf("postgres: migration %s: %w", m.name, err)
	}
	if _, err := tx.Exec(ctx, qRecordMigration, m.version, m.name, db.now().UnixNano()); err != nil {
		return false, fmt.Errorf("postgres: migration %s: %w", m.name, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("postgres: migration %s: %w", m.name, err)
	}
	return true, nil
}
