package storetest

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// subscriptionAt is an active monthly subscription paid at at.
func subscriptionAt(fanID, clubID int64, at time.Time) *fanclub.Subscription {
	end := fanclub.PeriodEnd(at, 0, fanclub.PlanMonthly, time.UTC)
	return &fanclub.Subscription{FanID: fanID, ClubID: clubID, Tier: "vip", Plan: fanclub.PlanMonthly, Price: 1500,
		Currency: "CNY", Status: fanclub.SubActive, AutoRenew: true, AgreementID: "agr-1", Anchor: at, PeriodStart: at,
		PeriodEnd: end, BenefitsUntil: end, ChargeID: "ch-1"}
}

// testSubscriptions checks the subscription store: a round trip of every
// field, ids and version 1 on create, ENOTFOUND finders, one live
// subscription per fan and club (create and update), the latest by member,
// newest-first lists, and optimistic updates (a stale version conflicts).
func testSubscriptions(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	var fans []int64
	var club, other int64
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fans = seedFans(t, tx, "sub", 2)
		club, other = seedClub(t, tx, "subs-a"), seedClub(t, tx, "subs-b")
	})
	first := subscriptionAt(fans[0], club, now)
	first.PeriodIndex, first.Retries, first.Refunded, first.BenefitsCut = 2, 1, 700, true
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindSubscription(ctx, 1)
		wantCode(t, "FindSubscription(none)", err, fanclub.ENOTFOUND)
		_, err = tx.FindSubscriptionByMember(ctx, fans[0], club)
		wantCode(t, "FindSubscriptionByMember(none)", err, fanclub.ENOTFOUND)
		list, err := tx.ListSubscriptions(ctx, fans[0])
		must(t, "ListSubscriptions(none)", err)
		wantEqual(t, "no subscriptions", len(list), 0)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "CreateSubscription", tx.CreateSubscription(ctx, first))
		if first.ID == 0 || first.Version != 1 || !first.CreatedAt.Equal(now) || !first.UpdatedAt.Equal(now) {
			t.Fatalf("created: id %d version %d created %v updated %v", first.ID, first.Version, first.CreatedAt, first.UpdatedAt)
		}
		second := subscriptionAt(fans[0], club, now)
		wantCode(t, "CreateSubscription(second live)", tx.CreateSubscription(ctx, second), fanclub.ECONFLICT)
		elsewhere := subscriptionAt(fans[0], other, now)
		must(t, "CreateSubscription(other club)", tx.CreateSubscription(ctx, elsewhere))
		must(t, "CreateSubscription(other fan)", tx.CreateSubscription(ctx, subscriptionAt(fans[1], club, now)))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindSubscription(ctx, first.ID)
		must(t, "FindSubscription", err)
		wantEqual(t, "round trip", got, first)
		got, err = tx.FindSubscriptionByMember(ctx, fans[0], club)
		must(t, "FindSubscriptionByMember", err)
		wantEqual(t, "by member", got, first)
		list, err := tx.ListSubscriptions(ctx, fans[0])
		must(t, "ListSubscriptions", err)
		if len(list) != 2 || list[0].ClubID != other || list[1].ID != first.ID {
			t.Fatalf("ListSubscriptions: %+v, want the other club's then the first", list)
		}
	})
	c.Advance(time.Hour)
	later := c.Now().UTC()
	stale := *first
	inWriteTx(t, s, func(tx fanclub.Tx) {
		first.Status, first.AutoRenew, first.Retries = fanclub.SubCanceled, false, 0
		must(t, "UpdateSubscription", tx.UpdateSubscription(ctx, first))
		if first.Version != 2 || !first.UpdatedAt.Equal(later) {
			t.Fatalf("updated: version %d updated %v, want 2 and %v", first.Version, first.UpdatedAt, later)
		}
		stale.Status = fanclub.SubEnded
		wantCode(t, "UpdateSubscription(stale)", tx.UpdateSubscription(ctx, &stale), fanclub.ECONFLICT)
		missing := *first
		missing.ID = first.ID + 1000
		wantCode(t, "UpdateSubscription(missing)", tx.UpdateSubscription(ctx, &missing), fanclub.ENOTFOUND)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindSubscription(ctx, first.ID)
		must(t, "FindSubscription(updated)", err)
		wantEqual(t, "updated", got, first)
	})
	// An ended subscription frees the place for a new live one, which is
	// then the member's latest; the ended one cannot come back to life.
	var renewed *fanclub.Subscription
	inWriteTx(t, s, func(tx fanclub.Tx) {
		first.Status = fanclub.SubEnded
		must(t, "UpdateSubscription(ended)", tx.UpdateSubscription(ctx, first))
		renewed = subscriptionAt(fans[0], club, later)
		must(t, "CreateSubscription(after ended)", tx.CreateSubscription(ctx, renewed))
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindSubscriptionByMember(ctx, fans[0], club)
		must(t, "FindSubscriptionByMember(latest)", err)
		wantEqual(t, "latest", got.ID, renewed.ID)
		back := *first
		back.Status = fanclub.SubActive
		wantCode(t, "UpdateSubscription(second live)", tx.UpdateSubscription(ctx, &back), fanclub.ECONFLICT)
	})
}

// testSubscriptionConcurrentUpdates runs read-modify-write transactions on
// one subscription from several goroutines (find, count one more retry,
// update), each through runTx: none may be lost, and none may fail with a
// version conflict, since a write transaction's find sees the latest
// committed version (SQLite runs writers one at a time; PostgreSQL locks
// the row on find).
func testSubscriptionConcurrentUpdates(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	var sub *fanclub.Subscription
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fan := seedFans(t, tx, "subc", 1)[0]
		sub = subscriptionAt(fan, seedClub(t, tx, "subs-c"), c.Now().UTC())
		must(t, "CreateSubscription", tx.CreateSubscription(ctx, sub))
	})
	const writers = 8
	errs := make(chan error, writers)
	for range writers {
		go func() {
			errs <- runTx(ctx, s, true, func(tx fanclub.Tx) error {
				got, err := tx.FindSubscription(ctx, sub.ID)
				if err != nil {
					return err
				}
				got.Retries++
				return tx.UpdateSubscription(ctx, got)
			})
		}()
	}
	for range writers {
		must(t, "concurrent update", <-errs)
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindSubscription(ctx, sub.ID)
		must(t, "FindSubscription", err)
		if got.Retries != writers || got.Version != writers+1 {
			t.Fatalf("after %d updates: retries %d version %d", writers, got.Retries, got.Version)
		}
	})
}

// testActiveBenefits checks the bulk read of paid benefits: only a live
// subscription counts (an ended one does not, nor a club the fan pays
// for elsewhere), its benefits must overlap [from, to] (period_start <=
// to, benefits_until > from, exclusive), repeated and unknown keys are
// harmless, and more keys than one query carries are all answered.
func testActiveBenefits(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	var fans []int64
	var club, other int64
	var paid, cut *fanclub.Subscription
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fans = seedFans(t, tx, "ben", 5)
		club, other = seedClub(t, tx, "ben-a"), seedClub(t, tx, "ben-b")
		paid = subscriptionAt(fans[0], club, now)
		must(t, "CreateSubscription(paid)", tx.CreateSubscription(ctx, paid))
		// Canceled, benefits cut an hour after now.
		cut = subscriptionAt(fans[1], club, now)
		cut.Status, cut.BenefitsUntil, cut.BenefitsCut = fanclub.SubCanceled, now.Add(time.Hour), true
		must(t, "CreateSubscription(cut)", tx.CreateSubscription(ctx, cut))
		ended := subscriptionAt(fans[2], club, now)
		ended.Status = fanclub.SubEnded
		must(t, "CreateSubscription(ended)", tx.CreateSubscription(ctx, ended))
		must(t, "CreateSubscription(other club)", tx.CreateSubscription(ctx, subscriptionAt(fans[3], other, now)))
		// An ended subscription before a live one: the live one answers.
		old := subscriptionAt(fans[4], club, now.Add(-40*24*time.Hour))
		old.Status, old.Tier = fanclub.SubEnded, "old"
		must(t, "CreateSubscription(old)", tx.CreateSubscription(ctx, old))
		must(t, "CreateSubscription(renewed)", tx.CreateSubscription(ctx, subscriptionAt(fans[4], club, now)))
	})
	key := func(f, c int64) fanclub.MemberKey { return fanclub.MemberKey{FanID: f, ClubID: c} }
	keys := []fanclub.MemberKey{key(fans[0], club), key(fans[1], club), key(fans[2], club), key(fans[3], club),
		key(fans[3], other), key(fans[4], club), key(fans[0], club)}
	for i := range 1200 { // unknown keys: more than one SQLite chunk
		keys = append(keys, key(int64(1_000_000+i), club))
	}
	keys = append(keys, key(fans[4], other))
	tests := []struct {
		name     string
		from, to time.Time
		want     map[fanclub.MemberKey]string // tier by key
	}{
		{"at now", now, now, map[fanclub.MemberKey]string{key(fans[0], club): "vip", key(fans[1], club): "vip",
			key(fans[3], other): "vip", key(fans[4], club): "vip"}},
		{"after the cut", now.Add(time.Hour), now.Add(2 * time.Hour), map[fanclub.MemberKey]string{key(fans[0], club): "vip",
			key(fans[3], other): "vip", key(fans[4], club): "vip"}},
		{"before payment", now.Add(-time.Hour), now.Add(-time.Nanosecond), map[fanclub.MemberKey]string{}},
		{"window over the payment", now.Add(-time.Hour), now, map[fanclub.MemberKey]string{key(fans[0], club): "vip",
			key(fans[1], club): "vip", key(fans[3], other): "vip", key(fans[4], club): "vip"}},
		{"at period end", paid.PeriodEnd, paid.PeriodEnd, map[fanclub.MemberKey]string{}},
	}
	for _, tt := range tests {
		inReadTx(t, s, func(tx fanclub.Tx) {
			got, err := tx.ActiveBenefits(ctx, keys, tt.from, tt.to)
			must(t, "ActiveBenefits("+tt.name+")", err)
			tiers := map[fanclub.MemberKey]string{}
			for k, b := range got {
				tiers[k] = b.Tier
			}
			wantEqual(t, tt.name, tiers, tt.want)
		})
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.ActiveBenefits(ctx, keys[:2], now, now)
		must(t, "ActiveBenefits", err)
		b := got[key(fans[1], club)]
		if !b.From.Equal(cut.PeriodStart) || !b.Until.Equal(cut.BenefitsUntil) || !b.ActiveAt(now) || b.ActiveAt(cut.BenefitsUntil) {
			t.Fatalf("cut benefits: %+v, want from %v until %v", b, cut.PeriodStart, cut.BenefitsUntil)
		}
		if b := got[key(fans[0], club)]; !b.From.Equal(paid.PeriodStart) || !b.Until.Equal(paid.BenefitsUntil) {
			t.Fatalf("paid benefits: %+v", b)
		}
		// One key (a membership's view) answers the same.
		one, err := tx.ActiveBenefits(ctx, keys[1:2], now, now)
		must(t, "ActiveBenefits(one key)", err)
		wantEqual(t, "one key", one, map[fanclub.MemberKey]fanclub.Benefits{key(fans[1], club): b})
		one, err = tx.ActiveBenefits(ctx, keys[1:2], cut.BenefitsUntil, cut.BenefitsUntil)
		must(t, "ActiveBenefits(one key, cut)", err)
		wantEqual(t, "one key after the cut", len(one), 0)
		none, err := tx.ActiveBenefits(ctx, nil, now, now)
		must(t, "ActiveBenefits(no keys)", err)
		if none == nil || len(none) != 0 {
			t.Fatalf("no keys: %v", none)
		}
	})
}
