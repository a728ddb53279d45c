package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
)

var testSecret = []byte("test-secret")

// receiver is a webhook endpoint that verifies signatures and counts
// requests per notification id; fail says which to answer 500 to.
type receiver struct {
	t     *testing.T
	mu    sync.Mutex
	calls map[string]int
	fail  func(id string, call int) bool
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := Verify(testSecret, r.Header.Get(HeaderSignature), body, time.Now(), DefaultTolerance); err != nil {
		rc.t.Errorf("signature: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var n fanclub.Notification
	if err := json.Unmarshal(body, &n); err != nil || n.ID != r.Header.Get(HeaderID) || r.Header.Get("Content-Type") != "application/json" {
		rc.t.Errorf("request: id header %q, body %s (%v)", r.Header.Get(HeaderID), body, err)
	}
	rc.mu.Lock()
	rc.calls[n.ID]++
	call := rc.calls[n.ID]
	rc.mu.Unlock()
	if rc.fail != nil && rc.fail(n.ID, call) {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// setup is an engine with webhooks on a fresh store, a receiver and its server.
func setup(t *testing.T, open teststores.Open, webhooks bool) (*fanclub.Engine, fanclub.Store, *clock.Manual, *receiver, string) {
	clk := clock.NewManual(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	db := open(t, clk.Now)
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Webhooks: webhooks})
	rc := &receiver{t: t, calls: map[string]int{}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return eng, db, clk, rc, srv.URL
}

// notes stores n exit receipts for fan 1.
func notes(t *testing.T, eng *fanclub.Engine, clk *clock.Manual, n int) []string {
	p := &fanclub.Policy{}
	p.Metadata.TimeZone = "Asia/Shanghai"
	var ns []*fanclub.Notification
	var ids []string
	for i := range n {
		id := fanclub.NotificationID(fanclub.NotifyExitReceipt, "exit", fmt.Sprintf("%03d", i))
		x, err := fanclub.NewNotification(p, fanclub.NotifyExitReceipt, id, fanclub.FanRecipient(1), 2, clk.Now(), fanclub.NotificationFacts{Club: "Luna", Time: clk.Now()})
		if err != nil {
			t.Fatal(err)
		}
		ns, ids = append(ns, x), append(ids, id)
	}
	if err := eng.Notify(context.Background(), ns...); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	return ids
}

// delivery reads a notification's delivery.
func delivery(t *testing.T, db fanclub.Store, id string) (*fanclub.WebhookDelivery, error) {
	tx, err := db.BeginTx(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	return tx.FindWebhookDelivery(context.Background(), id)
}

func newDeliverer(t *testing.T, eng *fanclub.Engine, url, owner string) *Deliverer {
	d, err := New(eng, Config{URL: url, Secret: testSecret, Timeout: 5 * time.Second, BackoffBase: time.Second, BackoffCap: 2 * time.Second, Owner: owner, Batch: 4})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDeliverRetryThenSucceed(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		eng, db, clk, rc, url := setup(t, open, true)
		ids := notes(t, eng, clk, 2)
		rc.fail = func(id string, call int) bool { return id == ids[1] && call == 1 }
		d := newDeliverer(t, eng, url, "d1")
		ctx := context.Background()
		if n, err := d.RunOnce(ctx); n != 2 || err != nil {
			t.Fatalf("RunOnce = %d, %v; want 2 claimed", n, err)
		}
		if n, _ := d.RunOnce(ctx); n != 0 {
			t.Fatalf("a retry was due at once (%d claimed)", n)
		}
		if got, _ := delivery(t, db, ids[1]); got.State != fanclub.WebhookPending || got.LastError != "HTTP 500" || got.Attempts != 1 {
			t.Fatalf("after a 500: %+v", got)
		}
		clk.Advance(2 * time.Second) // the backoff cap
		if n, err := d.RunOnce(ctx); n != 1 || err != nil {
			t.Fatalf("RunOnce after the backoff = %d, %v; want 1", n, err)
		}
		for _, id := range ids {
			if got, _ := delivery(t, db, id); got.State != fanclub.WebhookDelivered {
				t.Errorf("%s: %+v, want delivered", id, got)
			}
		}
		// The receiver saw ids[1] twice under one id: it dedupes by the header.
		if rc.calls[ids[0]] != 1 || rc.calls[ids[1]] != 2 || len(rc.calls) != 2 {
			t.Errorf("receiver calls %v, want ids[1] twice and 2 distinct ids", rc.calls)
		}
	})
}

func TestDeliverGivesUp(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		eng, db, clk, rc, url := setup(t, open, true)
		ids := notes(t, eng, clk, 1)
		rc.fail = func(string, int) bool { return true }
		d := newDeliverer(t, eng, url, "d1")
		for range fanclub.WebhookMaxAttempts + 2 {
			if _, err := d.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			clk.Advance(2 * time.Second)
		}
		got, _ := delivery(t, db, ids[0])
		if got.State != fanclub.WebhookFailed || got.Attempts != fanclub.WebhookMaxAttempts || rc.calls[ids[0]] != fanclub.WebhookMaxAttempts {
			t.Errorf("delivery %+v after %d calls, want failed after %d", got, rc.calls[ids[0]], fanclub.WebhookMaxAttempts)
		}
	})
}

func TestNoDeliveriesWithoutWebhooks(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		eng, db, clk, _, _ := setup(t, open, false)
		ids := notes(t, eng, clk, 1)
		if _, err := delivery(t, db, ids[0]); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
			t.Errorf("delivery: %v, want none", err)
		}
		ns, more, err := eng.NotificationsPage(context.Background(), fanclub.FanRecipient(1), 0, 10)
		if err != nil || more || len(ns) != 1 || ns[0].ID != ids[0] {
			t.Errorf("NotificationsPage = %v, %v, %v", ns, more, err)
		}
	})
}

func TestConcurrentDeliverersDeliverOnce(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		eng, _, clk, rc, url := setup(t, open, true)
		ids := notes(t, eng, clk, 40)
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := newDeliverer(t, eng, url, fmt.Sprint("d", w))
				for {
					n, err := d.RunOnce(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if rc.calls[id] != 1 {
				t.Errorf("%s delivered %d times, want once", id, rc.calls[id])
			}
		}
	})
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{
		{URL: "ftp://x", Secret: testSecret},
		{URL: "http://x"},
		{URL: "http://x", Secret: testSecret, Timeout: time.Minute, Lease: time.Second},
	} {
		if _, err := New(nil, c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n      int
		lo, hi time.Duration
	}{{1, time.Second / 2, time.Second}, {3, 2 * time.Second, 4 * time.Second}, {10, 30 * time.Second, time.Minute}, {200, 30 * time.Second, time.Minute}} {
		for range 50 {
			if d := Backoff(tc.n, time.Second, time.Minute); d < tc.lo || d > tc.hi {
				t.Fatalf("Backoff(%d) = %s, want %s..%s", tc.n, d, tc.lo, tc.hi)
			}
		}
	}
}
