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

// note is a stored-shape notification for tests.
func note(id string, to fanclub.Recipient, at time.Time) *fanclub.Notification {
	return &fanclub.Notification{ID: id, Recipient: to, ClubID: 3, Kind: fanclub.NotifyChargeNotice, At: at,
		Data: []byte(`{"amount":1230,"currency":"CNY"}`), Title: fanclub.Localized{ZH: "标题 " + id, EN: "Title " + id},
		Body: fanclub.Localized{ZH: "正文", EN: "Body"}}
}

// testNotifications checks the outbox: adding is idempotent by id (the
// first notification stays, its Seq is reported), a recipient's
// notifications list by Seq a page at a time, recipients are kept apart,
// and a delivery needs a stored notification.
func testNotifications(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	fan, other, creator := fanclub.FanRecipient(7), fanclub.FanRecipient(8), fanclub.CreatorRecipient(7)
	var first []*fanclub.Notification
	inWriteTx(t, s, func(tx fanclub.Tx) {
		for i := range 5 {
			first = append(first, note(fmt.Sprintf("charge_notice/sub/7/%d", i), fan, now.Add(time.Duration(i)*time.Second)))
		}
		first = append(first, note("charge_notice/sub/8/0", other, now), note("settled/creator/7/0", creator, now))
		must(t, "AddNotifications", tx.AddNotifications(ctx, first))
	})
	for i := 1; i < len(first); i++ {
		if first[i].Seq <= first[i-1].Seq {
			t.Fatalf("Seq %d after %d: want increasing", first[i].Seq, first[i-1].Seq)
		}
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		again := note("charge_notice/sub/7/2", fan, now.Add(time.Hour))
		again.Title.EN = "changed"
		fresh := note("charge_notice/sub/7/9", fan, now)
		must(t, "AddNotifications(again)", tx.AddNotifications(ctx, []*fanclub.Notification{again, fresh}))
		wantEqual(t, "a repeated id reports the stored seq", again.Seq, first[2].Seq)
		first = append(first[:5], fresh)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		var got []*fanclub.Notification
		after := int64(0)
		for {
			page, err := tx.ListNotifications(ctx, fan, after, 2)
			must(t, "ListNotifications", err)
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1].Seq
		}
		wantEqual(t, "the fan's notifications by seq, the first of a repeated id kept", got, first)
		for _, to := range []fanclub.Recipient{other, creator} {
			ns, err := tx.ListNotifications(ctx, to, 0, 10)
			must(t, "ListNotifications(other)", err)
			if len(ns) != 1 || ns[0].Recipient != to {
				t.Fatalf("ListNotifications(%v) = %+v, want its one notification", to, ns)
			}
		}
		ns, err := tx.ListNotifications(ctx, fanclub.FanRecipient(99), 0, 10)
		must(t, "ListNotifications(none)", err)
		wantEqual(t, "no notifications", len(ns), 0)
	})
	tx := beginTx(t, s, true)
	wantCode(t, "AddWebhookDeliveries(unknown)", tx.AddWebhookDeliveries(ctx, []string{"nope"}), fanclub.EINVALID)
	_, err := tx.FindWebhookDelivery(ctx, "charge_notice/sub/7/0")
	wantCode(t, "FindWebhookDelivery(none)", err, fanclub.ENOTFOUND)
}

// addDeliveries stores n notifications with deliveries and returns their ids.
func addDeliveries(t *testing.T, s fanclub.Store, c *clock.Manual, n int) []string {
	var ids []string
	var ns []*fanclub.Notification
	for i := range n {
		id := fmt.Sprintf("charge_notice/sub/%d/%03d", i%5+1, i)
		ids = append(ids, id)
		ns = append(ns, note(id, fanclub.FanRecipient(int64(i%5+1)), c.Now()))
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "AddNotifications", tx.AddNotifications(context.Background(), ns))
		must(t, "AddWebhookDeliveries", tx.AddWebhookDeliveries(context.Background(), ids))
		must(t, "AddWebhookDeliveries(again)", tx.AddWebhookDeliveries(context.Background(), ids[:1]))
	})
	return ids
}

// claimDeliveries claims up to limit deliveries for owner with a lease of a minute.
func claimDeliveries(t *testing.T, s fanclub.Store, owner string, limit int) []string {
	t.Helper()
	var ids []string
	inWriteTx(t, s, func(tx fanclub.Tx) {
		ds, err := tx.ClaimWebhookDeliveries(context.Background(), owner, tx.Now().Add(time.Minute), limit)
		must(t, "ClaimWebhookDeliveries", err)
		for _, d := range ds {
			if d.LeaseOwner != owner || d.State != fanclub.WebhookPending || d.Notification == nil || d.Notification.ID == "" {
				t.Fatalf("claimed %+v, want pending and leased to %s", d, owner)
			}
			ids = append(ids, d.Notification.ID)
		}
	})
	return ids
}

// findDelivery reads a delivery.
func findDelivery(t *testing.T, s fanclub.Store, id string) *fanclub.WebhookDelivery {
	t.Helper()
	var d *fanclub.WebhookDelivery
	inReadTx(t, s, func(tx fanclub.Tx) {
		var err error
		d, err = tx.FindWebhookDelivery(context.Background(), id)
		must(t, "FindWebhookDelivery", err)
	})
	return d
}

// testWebhookDeliveries checks claims: due and unleased deliveries only,
// by due time then id; only the holder ends an attempt; a retry is due
// again later; an expired lease may be claimed by another owner; a
// delivery fails for good after fanclub.WebhookMaxAttempts attempts.
func testWebhookDeliveries(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	ids := addDeliveries(t, s, c, 3)
	wantEqual(t, "first claim", claimDeliveries(t, s, "a", 2), ids[:2])
	wantEqual(t, "leased ones are skipped", claimDeliveries(t, s, "b", 5), ids[2:])
	wantEqual(t, "all leased", len(claimDeliveries(t, s, "c", 5)), 0)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		wantCode(t, "MarkWebhookDelivered(not the holder)", tx.MarkWebhookDelivered(ctx, ids[0], "b"), fanclub.ECONFLICT)
		wantCode(t, "MarkWebhookDelivered(unknown)", tx.MarkWebhookDelivered(ctx, "nope", "a"), fanclub.ENOTFOUND)
		must(t, "MarkWebhookDelivered", tx.MarkWebhookDelivered(ctx, ids[0], "a"))
		wantCode(t, "MarkWebhookDelivered(twice)", tx.MarkWebhookDelivered(ctx, ids[0], "a"), fanclub.ECONFLICT)
		must(t, "RetryWebhookDelivery", tx.RetryWebhookDelivery(ctx, ids[1], "a", tx.Now().Add(10*time.Minute), "HTTP 500"))
	})
	d := findDelivery(t, s, ids[0])
	wantEqual(t, "delivered", []any{d.State, d.Attempts, d.LeaseOwner}, []any{fanclub.WebhookDelivered, 1, ""})
	d = findDelivery(t, s, ids[1])
	wantEqual(t, "retried", []any{d.State, d.Attempts, d.LastError, d.NextAt.Equal(c.Now().Add(10 * time.Minute))},
		[]any{fanclub.WebhookPending, 1, "HTTP 500", true})
	c.Advance(2 * time.Minute) // ids[2]'s lease expired; ids[1] not due yet
	wantEqual(t, "an expired lease is claimed again", claimDeliveries(t, s, "c", 5), ids[2:])
	inWriteTx(t, s, func(tx fanclub.Tx) {
		wantCode(t, "MarkWebhookDelivered(lease lost)", tx.MarkWebhookDelivered(ctx, ids[2], "b"), fanclub.ECONFLICT)
		must(t, "MarkWebhookDelivered(new holder)", tx.MarkWebhookDelivered(ctx, ids[2], "c"))
	})
	wantEqual(t, "attempts counted", findDelivery(t, s, ids[2]).Attempts, 2)
	c.Advance(10 * time.Minute)
	for attempt := 2; attempt <= fanclub.WebhookMaxAttempts; attempt++ {
		wantEqual(t, fmt.Sprintf("claim %d", attempt), claimDeliveries(t, s, "a", 1), ids[1:2])
		inWriteTx(t, s, func(tx fanclub.Tx) {
			must(t, "RetryWebhookDelivery", tx.RetryWebhookDelivery(ctx, ids[1], "a", tx.Now(), fmt.Sprint("fail ", attempt)))
		})
	}
	d = findDelivery(t, s, ids[1])
	wantEqual(t, "given up", []any{d.State, d.Attempts, d.LastError},
		[]any{fanclub.WebhookFailed, fanclub.WebhookMaxAttempts, fmt.Sprint("fail ", fanclub.WebhookMaxAttempts)})
	c.Advance(time.Hour)
	wantEqual(t, "a failed delivery is not claimed", len(claimDeliveries(t, s, "a", 5)), 0)
}

// testWebhookConcurrentClaims claims from several goroutines at once:
// every delivery is claimed, and none twice while its lease lasts.
func testWebhookConcurrentClaims(t *testing.T, s fanclub.Store, c *clock.Manual) {
	const n, workers = 60, 4
	ids := addDeliveries(t, s, c, n)
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprint("worker-", w)
			for {
				var ds []*fanclub.WebhookDelivery
				err := runTx(context.Background(), s, true, func(tx fanclub.Tx) error {
					var err error
					ds, err = tx.ClaimWebhookDeliveries(context.Background(), owner, tx.Now().Add(time.Hour), 3)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					if prev, ok := seen[d.Notification.ID]; ok {
						errs <- fmt.Errorf("%s claimed by %s and %s", d.Notification.ID, prev, owner)
					}
					seen[d.Notification.ID] = owner
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantEqual(t, "claimed", len(seen), len(ids))
}
