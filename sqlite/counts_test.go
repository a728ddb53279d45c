package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"fanclub"
)

// seedMembers creates a club with n active members (written straight to
// the table) and returns the club and the fans.
func seedMembers(t *testing.T, db *DB, n int) (int64, []int64) {
	t.Helper()
	ctx := context.Background()
	var club int64
	var fans []int64
	inTx(t, db, true, func(tx fanclub.Tx) {
		cr := &fanclub.Creator{Handle: "counts"}
		if err := tx.CreateCreator(ctx, cr); err != nil {
			t.Fatal(err)
		}
		c := &fanclub.Club{CreatorID: cr.ID, Name: "club", Policy: "fair"}
		if err := tx.CreateClub(ctx, c); err != nil {
			t.Fatal(err)
		}
		club = c.ID
		var ms []*fanclub.Membership
		for i := range n {
			f := &fanclub.Fan{Handle: fmt.Sprintf("f%d", i), PasswordHash: "x"}
			if err := tx.CreateFan(ctx, f); err != nil {
				t.Fatal(err)
			}
			fans = append(fans, f.ID)
			ms = append(ms, &fanclub.Membership{FanID: f.ID, ClubID: club, Status: fanclub.StatusActive, JoinedAt: tx.Now()})
		}
		if err := tx.SaveMemberships(ctx, ms); err != nil {
			t.Fatal(err)
		}
	})
	return club, fans
}

// setStatus reads fans' memberships (so they go write-behind) and saves
// them with status.
func setStatus(t *testing.T, db *DB, club int64, status fanclub.MembershipStatus, fans ...int64) {
	t.Helper()
	ctx := context.Background()
	inTx(t, db, true, func(tx fanclub.Tx) {
		for _, f := range fans {
			m, err := tx.FindMembership(ctx, f, club)
			if err != nil {
				t.Fatal(err)
			}
			m.Status, m.Version = status, m.Version+1
			if err := tx.SaveMemberships(ctx, []*fanclub.Membership{m}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// activeCount is the club's maintained count and the count of its active
// rows in the table.
func activeCount(t *testing.T, db *DB, club int64) (maintained, table int64) {
	t.Helper()
	inTx(t, db, false, func(tx fanclub.Tx) {
		var err error
		if maintained, err = tx.ActiveMembers(context.Background(), club); err != nil {
			t.Fatal(err)
		}
	})
	if err := db.writer.QueryRow(`SELECT active FROM club_member_counts WHERE club_id = ?`, club).Scan(&table); err != nil {
		t.Fatal(err)
	}
	return maintained, table
}

// TestMemberCountsAcrossCheckpointReopenAndCrash changes statuses through
// the write-behind path and checks the count before a checkpoint, after
// one, after a clean reopen and after a crash that leaves journal rows.
func TestMemberCountsAcrossCheckpointReopenAndCrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	db := openFile(t, path)
	club, fans := seedMembers(t, db, 6)
	setStatus(t, db, club, fanclub.StatusLeft, fans[0], fans[1])
	if got, table := activeCount(t, db, club); got != 4 || table != 6 {
		t.Fatalf("before checkpoint: count %d (table %d), want 4 (6: the leaves are write-behind)", got, table)
	}
	db.wmu.Lock()
	err := db.checkpointLocked(ctx)
	db.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if got, table := activeCount(t, db, club); got != 4 || table != 4 {
		t.Fatalf("after checkpoint: count %d table %d, want 4 4", got, table)
	}
	setStatus(t, db, club, fanclub.StatusActive, fans[0])
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openFile(t, path)
	if got, table := activeCount(t, db, club); got != 5 || table != 5 {
		t.Fatalf("after reopen: count %d table %d, want 5 5", got, table)
	}
	setStatus(t, db, club, fanclub.StatusLeft, fans[2], fans[3], fans[4])
	setStatus(t, db, club, fanclub.StatusActive, fans[3])
	crashClose(t, db)
	db = openFile(t, path)
	defer db.Close()
	if got, table := activeCount(t, db, club); got != 3 || table != 3 {
		t.Fatalf("after crash replay: count %d table %d, want 3 3", got, table)
	}
}

// TestMemberCountsSharedBetweenHandles has a second handle on the same file
// see the first handle's write-behind changes.
func TestMemberCountsSharedBetweenHandles(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	a := openFile(t, path)
	defer a.Close()
	club, fans := seedMembers(t, a, 3)
	b := openFile(t, path)
	defer b.Close()
	setStatus(t, a, club, fanclub.StatusLeft, fans[0])
	setStatus(t, b, club, fanclub.StatusLeft, fans[1])
	for name, db := range map[string]*DB{"a": a, "b": b} {
		if got, _ := activeCount(t, db, club); got != 1 {
			t.Fatalf("handle %s: count %d, want 1", name, got)
		}
	}
}

// TestMigrationCountsExistingMembers opens a database whose members
// predate the count table: the migration counts them.
func TestMigrationCountsExistingMembers(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	db := openFile(t, path)
	club, _ := seedMembers(t, db, 4)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openFile(t, path)
	if _, err := db.writer.Exec(`DELETE FROM club_member_counts; DELETE FROM schema_migrations WHERE version = 6; DROP TABLE club_member_counts`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openFile(t, path)
	defer db.Close()
	if got, table := activeCount(t, db, club); got != 4 || table != 4 {
		t.Fatalf("after migration: count %d table %d, want 4 4", got, table)
	}
}

// TestReadyNeedsEveryMigration: Ready passes on a migrated database and
// fails when the newest migration is not recorded, or the file is closed.
func TestReadyNeedsEveryMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openFile(t, filepath.Join(t.TempDir(), "x.db"))
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("Ready on a fresh database: %v", err)
	}
	if _, err := db.writer.Exec(`DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err == nil {
		t.Fatal("Ready with a migration missing")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err == nil {
		t.Fatal("Ready after Close")
	}
}
