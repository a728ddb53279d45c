package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// testPaymentRecords checks the payment record store: an insert assigns
// a growing Seq; a second save with a taken (provider, key) returns the
// first record; providers keep their keys and ids apart; finders by id
// and key; updates; lists by provider, kind and fan in saved order.
func testPaymentRecords(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	charge := &fanclub.PaymentRecord{Provider: "sandbox", Kind: "charge", ID: "ch_1", Key: "k-1", FanID: 7, Amount: 1500,
		Currency: "CNY", Status: "succeeded", Ref: "ag_1", Body: []byte(`{"a":1}`)}
	var first, second *fanclub.PaymentRecord
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindPaymentRecordByKey(ctx, "sandbox", "k-1")
		wantCode(t, "FindPaymentRecordByKey(unknown)", err, fanclub.ENOTFOUND)
		_, err = tx.FindPaymentRecord(ctx, "sandbox", "ch_1")
		wantCode(t, "FindPaymentRecord(unknown)", err, fanclub.ENOTFOUND)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		var err error
		first, err = tx.SavePaymentRecord(ctx, charge)
		must(t, "SavePaymentRecord", err)
		if first.Seq == 0 || !first.CreatedAt.Equal(now) || !first.UpdatedAt.Equal(now) {
			t.Fatalf("saved %+v: want a Seq and CreatedAt = UpdatedAt = tx.Now() %v", first, now)
		}
		want := *charge
		want.Seq, want.CreatedAt, want.UpdatedAt = first.Seq, now, now
		wantEqual(t, "saved", first, &want)
		again := *charge
		again.ID, again.Amount, again.Status = "ch_other", 99, "declined"
		got, err := tx.SavePaymentRecord(ctx, &again)
		must(t, "SavePaymentRecord(same key)", err)
		wantEqual(t, "a second save with the key returns the first record", got, first)
		other := *charge
		other.Provider = "stripe"
		got, err = tx.SavePaymentRecord(ctx, &other)
		must(t, "SavePaymentRecord(other provider)", err)
		if got.Provider != "stripe" || got.Seq <= first.Seq {
			t.Fatalf("another provider's key is its own: got %+v", got)
		}
		dup := *charge
		dup.Key = "k-2"
		_, err = tx.SavePaymentRecord(ctx, &dup)
		wantCode(t, "SavePaymentRecord(taken id)", err, fanclub.ECONFLICT)
	})
	c.Advance(time.Minute)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		var err error
		second, err = tx.SavePaymentRecord(ctx, &fanclub.PaymentRecord{Provider: "sandbox", Kind: "refund", Key: "k-2", FanID: 7,
			Amount: 500, Currency: "CNY", Status: "pending", Ref: "ch_1"})
		must(t, "SavePaymentRecord(no id)", err)
		if second.Seq <= first.Seq || second.ID != "" || second.Body == nil {
			t.Fatalf("saved without id: %+v", second)
		}
		_, err = tx.SavePaymentRecord(ctx, &fanclub.PaymentRecord{Provider: "sandbox", Kind: "rule", Key: "rule-1", Status: "on"})
		must(t, "SavePaymentRecord(no id, again)", err)
		second.ID, second.Status, second.Body, second.UpdatedAt = "re_2", "succeeded", []byte(`{}`), time.Time{}
		must(t, "UpdatePaymentRecord", tx.UpdatePaymentRecord(ctx, second))
		second.UpdatedAt = c.Now().UTC()
		err = tx.UpdatePaymentRecord(ctx, &fanclub.PaymentRecord{Provider: "sandbox", Key: "nope"})
		wantCode(t, "UpdatePaymentRecord(unknown)", err, fanclub.ENOTFOUND)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindPaymentRecord(ctx, "sandbox", "re_2")
		must(t, "FindPaymentRecord", err)
		wantEqual(t, "found by id after update", got, second)
		got, err = tx.FindPaymentRecordByKey(ctx, "sandbox", "k-1")
		must(t, "FindPaymentRecordByKey", err)
		wantEqual(t, "found by key", got, first)
		_, err = tx.FindPaymentRecord(ctx, "sandbox", "")
		wantCode(t, "FindPaymentRecord(empty id)", err, fanclub.ENOTFOUND)
		list, err := tx.ListPaymentRecords(ctx, "sandbox", 7, "")
		must(t, "ListPaymentRecords(fan)", err)
		wantEqual(t, "a fan's records in saved order", list, []*fanclub.PaymentRecord{first, second})
		list, err = tx.ListPaymentRecords(ctx, "sandbox", 0, "refund")
		must(t, "ListPaymentRecords(kind)", err)
		wantEqual(t, "refunds of every fan", list, []*fanclub.PaymentRecord{second})
		list, err = tx.ListPaymentRecords(ctx, "sandbox", 0, "")
		must(t, "ListPaymentRecords(all)", err)
		if len(list) != 3 {
			t.Fatalf("ListPaymentRecords(all) = %d records, want 3", len(list))
		}
		list, err = tx.ListPaymentRecords(ctx, "sandbox", 8, "charge")
		must(t, "ListPaymentRecords(other fan)", err)
		if len(list) != 0 {
			t.Fatalf("ListPaymentRecords(other fan) = %+v, want empty", list)
		}
	})
}

// testConcurrentPaymentRecords saves one key from several goroutines at
// once, each in its own transaction run through runTx: every save returns
// the one record the unique key let in.
func testConcurrentPaymentRecords(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	const workers = 6
	got := make([]*fanclub.PaymentRecord, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			errs[w] = runTx(ctx, s, true, func(tx fanclub.Tx) error {
				r, err := tx.SavePaymentRecord(ctx, &fanclub.PaymentRecord{Provider: "sandbox", Kind: "charge", Key: "same",
					FanID: int64(w + 1), Amount: 100, Currency: "CNY", Status: "succeeded"})
				got[w] = r
				return err
			})
		})
	}
	wg.Wait()
	for w := range workers {
		must(t, fmt.Sprint("SavePaymentRecord ", w), errs[w])
		wantEqual(t, "every concurrent save returns the one record", got[w], got[0])
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		list, err := tx.ListPaymentRecords(ctx, "sandbox", 0, "charge")
		must(t, "ListPaymentRecords", err)
		wantEqual(t, "one record stored", list, []*fanclub.PaymentRecord{got[0]})
	})
}
