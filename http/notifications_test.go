package http

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// TestMyNotifications lists a fan's notifications, stored through the
// store, a page at a time in store order, with both languages, and only
// the fan's own.
func TestMyNotifications(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		a := newTestAPI(t, open)
		fan1, tok1 := a.newFan("nina")
		fan2, tok2 := a.newFan("omar")
		p := &fanclub.Policy{}
		p.Metadata.TimeZone = "Asia/Shanghai"
		p.Paid.Currency = "CNY"
		var want []string
		var ns []*fanclub.Notification
		for i := range 5 {
			id := fanclub.NotificationID(fanclub.NotifyChargeNotice, "sub", fan1.ID, i)
			n, err := fanclub.NewNotification(p, fanclub.NotifyChargeNotice, id, fanclub.FanRecipient(fan1.ID), 1, a.Clock.Now(),
				fanclub.NotificationFacts{Club: "Luna", Amount: 1500 + int64(i), Time: a.Clock.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			ns, want = append(ns, n), append(want, id)
		}
		other, err := fanclub.NewNotification(p, fanclub.NotifyExitReceipt, "exit_receipt/x/1", fanclub.FanRecipient(fan2.ID), 1, a.Clock.Now(),
			fanclub.NotificationFacts{Club: "Luna", Time: a.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := a.Store.BeginTx(context.Background(), true)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := tx.AddNotifications(context.Background(), append(ns, other)); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}

		var got []string
		cursor, pages := "", 0
		for {
			resp := a.must(200, "GET", "/v1/me/notifications?limit=2"+cursor, tok1, nil)
			checkSchema(t, "NotificationList", resp.Body)
			var page Page[fanclub.Notification]
			resp.JSON(t, &page)
			for _, n := range page.Items {
				if n.Title.ZH == "" || n.Title.EN == "" || n.Body.EN == "" || n.Kind != fanclub.NotifyChargeNotice {
					t.Errorf("notification %+v, want texts in both languages", n)
				}
				got = append(got, n.ID)
			}
			pages++
			if page.NextCursor == nil || pages > 5 {
				break
			}
			cursor = "&cursor=" + *page.NextCursor
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || pages != 3 {
			t.Errorf("notifications %v in %d pages, want %v in 3", got, pages, want)
		}
		var page Page[fanclub.Notification]
		a.must(200, "GET", "/v1/me/notifications", tok2, nil).JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != other.ID || page.NextCursor != nil {
			t.Errorf("the other fan's notifications: %+v", page)
		}
		var clubs Page[fanclub.Club]
		_, ctok := a.newCreator("pia")
		a.newClub(ctok, "One", "fair")
		a.newClub(ctok, "Two", "fair")
		a.must(200, "GET", "/v1/clubs?limit=1", tok1, nil).JSON(t, &clubs)
		if p := a.must(400, "GET", "/v1/me/notifications?cursor="+*clubs.NextCursor, tok1, nil).Problem(t); len(p.Errors) != 1 || p.Errors[0].Path != "cursor" {
			t.Errorf("a clubs cursor: %+v, want the cursor named", p)
		}
	})
}
