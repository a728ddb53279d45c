// Package storetest is the behaviour suite every fanclub.Store
// implementation runs: one subtest per contract of the Store and Tx
// methods (round trips, not-found and conflict errors, idempotent inserts,
// derived balances, time filtering, rollback and concurrent writers). The
// concurrent writers retry the transactions a store fails with a retryable
// error (fanclub.IsRetryable), as the engine does.
//
// A store package runs it from its own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, now func() time.Time) fanclub.Store { ... })
//	}
package storetest

import (
	"context"
	"fanclub/clock"
	"fmt"
	"reflect"
	"testing"
	"time"

	"fanclub"
)

// OpenFunc opens an empty store whose transactions read their time from now.
// The store is closed by the suite.
type OpenFunc func(t *testing.T, now func() time.Time) fanclub.Store

// Run runs the suite; each subtest opens its own store.
func Run(t *testing.T, open OpenFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s fanclub.Store, c *clock.Manual)
	}{
		{"TxNowFromClock", testTxNow},
		{"Fans", testFans},
		{"FanHandleConflict", testFanHandleConflict},
		{"CreatorsAndClubs", testCreatorsAndClubs},
		{"ClubPolicyVersion", testClubPolicyVersion},
		{"Memberships", testMemberships},
		{"FindMembershipsMany", testFindMembershipsMany},
		{"DailyPoints", testDailyPoints},
		{"DeleteHistory", testDeleteHistory},
		{"InsertEventsDedupe", testInsertEventsDedupe},
		{"InsertEventsLarge", testInsertEventsLarge},
		{"ListEvents", testListEvents},
		{"PurgeEvents", testPurgeEvents},
		{"PurgedIDsForgotten", testPurgedIDsForgotten},
		{"PurgeInTx", testPurgeInTx},
		{"PurgeKeepsActions", testPurgeKeepsActions},
		{"PurgeKeepsInTx", testPurgeKeepsInTx},
		{"EventLogProperty", testEventLogProperty},
		{"GeneralPoints", testGeneralPoints},
		{"GeneralPointsProperty", testLedgerProperty},
		{"PointsExtremes", testPointsExtremes},
		{"IdempotentResponses", testIdempotentResponses},
		{"PaymentRecords", testPaymentRecords},
		{"ConcurrentPaymentRecords", testConcurrentPaymentRecords},
		{"Subscriptions", testSubscriptions},
		{"SubscriptionConcurrentUpdates", testSubscriptionConcurrentUpdates},
		{"ActiveBenefits", testActiveBenefits},
		{"InsertEventsProperty", testEventsProperty},
		{"Effects", testEffects},
		{"EndRejoinEffects", testEndRejoinEffects},
		{"ExitRequests", testExitRequests},
		{"Batches", testBatches},
		{"BatchesExpire", testBatchesExpire},
		{"Tokens", testTokens},
		{"PendingExitRequests", testPendingExitRequests},
		{"Pages", testPages},
		{"ActiveMembers", testActiveMembers},
		{"Notifications", testNotifications},
		{"WebhookDeliveries", testWebhookDeliveries},
		{"WebhookConcurrentClaims", testWebhookConcurrentClaims},
		{"RollbackDiscards", testRollbackDiscards},
		{"CommittedVisibleToReaders", testCommittedVisible},
		{"ConcurrentWriters", testConcurrentWriters},
		{"LedgerRoundTrip", testLedgerRoundTrip},
		{"LedgerReplay", testLedgerReplay},
		{"LedgerInsufficientFunds", testLedgerInsufficientFunds},
		{"LedgerTwoPhase", testLedgerTwoPhase},
		{"LedgerRollback", testLedgerRollback},
		{"LedgerConcurrentWriters", testLedgerConcurrentWriters},
		{"Payments", testPayments},
		{"Gifts", testGifts},
		{"FanAges", testFanAges},
		{"GuardianLinks", testGuardianLinks},
		{"GuardianRefunds", testGuardianRefunds},
		{"Devices", testDevices},
		{"DevicesProperty", testDevicesProperty},
		{"Follows", testFollows},
		{"Receipts", testReceipts},
		{"AnonymiseTransactions", testAnonymiseTransactions},
		{"EraseFan", testEraseFan},
		{"Settlements", testSettlements},
		{"RevenueRecords", testRevenueRecords},
		{"JobsEnqueue", testJobsEnqueue},
		{"JobsClaim", testJobsClaim},
		{"JobsRetryKillCancel", testJobsRetryKillCancel},
		{"JobsNextDue", testJobsNextDue},
		{"JobsConcurrentClaims", testJobsConcurrentClaims},
		{"LedgerModel", testLedgerModel},
		{"JobsProperty", testJobsProperty},
		{"EventsPages", testEventsPages},
		{"EventsPagesProperty", testEventsPagesProperty},
		{"PointEntries", testPointEntries},
		{"SigningKey", testSigningKey},
		{"Imports", testImports},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := clock.NewManual(time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC))
			s := open(t, c.Now)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s, c)
		})
	}
}

// beginTx starts a transaction or fails the test.
func beginTx(t *testing.T, s fanclub.Store, write bool) fanclub.Tx {
	t.Helper()
	tx, err := s.BeginTx(context.Background(), write)
	if err != nil {
		t.Fatalf("BeginTx(write=%v): %v", write, err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

// inWriteTx runs fn in a write transaction and commits it.
func inWriteTx(t *testing.T, s fanclub.Store, fn func(tx fanclub.Tx)) {
	t.Helper()
	tx := beginTx(t, s, true)
	fn(tx)
	if err := tx.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// inReadTx runs fn in a read transaction and ends it.
func inReadTx(t *testing.T, s fanclub.Store, fn func(tx fanclub.Tx)) {
	t.Helper()
	tx := beginTx(t, s, false)
	fn(tx)
	if err := tx.Rollback(); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
}

// must fails the test on err.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantCode fails the test unless err carries the domain error code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := fanclub.ErrorCode(err); got != code {
		t.Fatalf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

// wantEqual fails the test unless got and want are deeply equal.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// seedClub creates a creator and a club and returns the club id.
func seedClub(t *testing.T, tx fanclub.Tx, name string) int64 {
	t.Helper()
	ctx := context.Background()
	cr := &fanclub.Creator{Handle: "creator-" + name}
	must(t, "CreateCreator", tx.CreateCreator(ctx, cr))
	cl := &fanclub.Club{CreatorID: cr.ID, Name: name, Policy: "fair"}
	must(t, "CreateClub", tx.CreateClub(ctx, cl))
	return cl.ID
}

// seedFans creates n fans and returns their ids.
func seedFans(t *testing.T, tx fanclub.Tx, prefix string, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		f := &fanclub.Fan{Handle: fmt.Sprintf("%s-%d", prefix, i), PasswordHash: "h"}
		must(t, "CreateFan", tx.CreateFan(context.Background(), f))
		ids[i] = f.ID
	}
	return ids
}

func testTxNow(t *testing.T, s fanclub.Store, c *clock.Manual) {
	for _, write := range []bool{true, false} {
		want := c.Now()
		tx := beginTx(t, s, write)
		if got := tx.Now(); !got.Equal(want) {
			t.Fatalf("tx.Now() = %v, want the clock's %v", got, want)
		}
		must(t, "Rollback", tx.Rollback())
		c.Advance(90 * time.Minute)
	}
	tx := beginTx(t, s, true)
	if got, want := tx.Now(), c.Now(); !got.Equal(want) {
		t.Fatalf("after Advance tx.Now() = %v, want %v", got, want)
	}
}

func testFans(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	f := &fanclub.Fan{Handle: "lin", PasswordHash: "$argon2id$x", CreatedAt: c.Now()}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "CreateFan", tx.CreateFan(ctx, f))
	})
	if f.ID == 0 {
		t.Fatal("CreateFan left ID 0")
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindFanByID(ctx, f.ID)
		must(t, "FindFanByID", err)
		wantEqual(t, "FindFanByID", got, f)
		got, err = tx.FindFanByHandle(ctx, "lin")
		must(t, "FindFanByHandle", err)
		wantEqual(t, "FindFanByHandle", got, f)
		got, err = tx.FindFanByID(ctx, f.ID+1000)
		wantCode(t, "FindFanByID(unknown)", err, fanclub.ENOTFOUND)
		if got != nil {
			t.Fatalf("FindFanByID(unknown) = %+v, want nil", got)
		}
		_, err = tx.FindFanByHandle(ctx, "nobody")
		wantCode(t, "FindFanByHandle(unknown)", err, fanclub.ENOTFOUND)
	})
}

func testFanHandleConflict(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "CreateFan", tx.CreateFan(ctx, &fanclub.Fan{Handle: "same", PasswordHash: "h"}))
	})
	tx := beginTx(t, s, true)
	err := tx.CreateFan(ctx, &fanclub.Fan{Handle: "same", PasswordHash: "h"})
	wantCode(t, "CreateFan(duplicate handle)", err, fanclub.ECONFLICT)
	// The transaction stays usable after the conflict.
	must(t, "CreateFan(other)", tx.CreateFan(ctx, &fanclub.Fan{Handle: "other", PasswordHash: "h"}))
	must(t, "Commit", tx.Commit())
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindFanByHandle(ctx, "other")
		must(t, "FindFanByHandle(other)", err)
	})
}

func testCreatorsAndClubs(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	a := &fanclub.Creator{Handle: "a"}
	b := &fanclub.Creator{Handle: "b"}
	var clubs []*fanclub.Club
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "CreateCreator", tx.CreateCreator(ctx, a))
		must(t, "CreateCreator", tx.CreateCreator(ctx, b))
		for i, cr := range []*fanclub.Creator{a, b, a} {
			cl := &fanclub.Club{CreatorID: cr.ID, Name: fmt.Sprint("club", i), Policy: "douyin"}
			must(t, "CreateClub", tx.CreateClub(ctx, cl))
			clubs = append(clubs, cl)
		}
	})
	if a.CreatedAt.IsZero() || !clubs[0].CreatedAt.Equal(c.Now()) {
		t.Fatalf("CreatedAt not defaulted to tx.Now(): creator %v club %v", a.CreatedAt, clubs[0].CreatedAt)
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindCreatorByID(ctx, b.ID)
		must(t, "FindCreatorByID", err)
		wantEqual(t, "FindCreatorByID", got, b)
		_, err = tx.FindCreatorByID(ctx, 9999)
		wantCode(t, "FindCreatorByID(unknown)", err, fanclub.ENOTFOUND)
		cl, err := tx.FindClubByID(ctx, clubs[1].ID)
		must(t, "FindClubByID", err)
		wantEqual(t, "FindClubByID", cl, clubs[1])
		_, err = tx.FindClubByID(ctx, 9999)
		wantCode(t, "FindClubByID(unknown)", err, fanclub.ENOTFOUND)
		all, err := tx.ListClubs(ctx, 0)
		must(t, "ListClubs(0)", err)
		wantEqual(t, "ListClubs(0)", all, clubs)
		mine, err := tx.ListClubs(ctx, a.ID)
		must(t, "ListClubs(a)", err)
		wantEqual(t, "ListClubs(a)", mine, []*fanclub.Club{clubs[0], clubs[2]})
		none, err := tx.ListClubs(ctx, 9999)
		must(t, "ListClubs(unknown)", err)
		if len(none) != 0 {
			t.Fatalf("ListClubs(unknown) = %v, want empty", none)
		}
	})
}
