package export_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/export"
	"fanclub/internal/teststores"
)

// refusal is a crafted document an import must refuse: the change to a
// good document, and the path and words of the error.
type refusal struct {
	name  string
	doc   func() *crafted
	path  string
	inMsg string
}

// badDocs are documents with one value no export can hold; every check
// of the decoder has one.
func badDocs() []refusal {
	g := goodCrafted
	m := func(old, new string) func() *crafted {
		return func() *crafted { return g().replace("memberships", old, new) }
	}
	row := func(table, old, new string) func() *crafted {
		return func() *crafted { return g().replace(table, old, new) }
	}
	exported := func(at string) func() *crafted {
		return func() *crafted { c := g(); c.exported = at; return c }
	}
	edit := func(f func(string) string) func() *crafted {
		return func() *crafted { c := g(); c.edit = f; return c }
	}
	const active = `{"club_id":1,"status":"active","level":1,"level_points":0,"joined_at":"2026-11-01T00:00:00Z","last_interaction_at":"2026-11-01T00:00:00Z","left_at":null,"exits":0,"retained":null}`
	return []refusal{
		// The reviewer's cases.
		{"left without left_at", m(`"left_at":"2026-11-10T00:00:00Z"`, `"left_at":null`), "memberships[0].left_at", "the membership was left"},
		{"left_at in 2200", m(`"left_at":"2026-11-10T00:00:00Z"`, `"left_at":"2200-01-01T00:00:00Z"`), "memberships[0].left_at", "after the export was made"},
		{"left_at an hour after the export", m(`"left_at":"2026-11-10T00:00:00Z"`, `"left_at":"2026-11-20T05:00:00Z"`), "memberships[0].left_at", "after the export was made"},
		{"joined after leaving", func() *crafted {
			return g().replace("memberships", `"joined_at":"2026-11-01T00:00:00Z","last_interaction_at":"2026-11-03T00:00:00Z"`,
				`"joined_at":"2026-11-11T00:00:00Z","last_interaction_at":"2026-11-12T00:00:00Z"`)
		}, "memberships[0].left_at", "before joined_at"},
		{"last interaction before joining", m(`"last_interaction_at":"2026-11-03T00:00:00Z"`, `"last_interaction_at":"2026-10-03T00:00:00Z"`),
			"memberships[0].last_interaction_at", "before joined_at"},
		{"left before joining", m(`"left_at":"2026-11-10T00:00:00Z"`, `"left_at":"2026-10-10T00:00:00Z"`), "memberships[0].left_at", "before joined_at"},
		{"negative level", m(`"level":2,"level_points"`, `"level":-5,"level_points"`), "memberships[0].level", "negative"},
		{"negative level points", m(`"level_points":0`, `"level_points":-100`), "memberships[0].level_points", "not a number of points"},
		{"level points beyond the bound", m(`"level_points":0`, `"level_points":1000000000000000001`), "memberships[0].level_points", "not a number of points"},
		{"negative exits", m(`"exits":1`, `"exits":-3`), "memberships[0].exits", "negative"},
		{"exported_at in 2300", exported("2300-01-01T00:00:00Z"), "exported_at", "not a time an export can hold"},
		{"exported_at at the epoch", exported("1970-01-01T00:00:00Z"), "exported_at", "not a time an export can hold"},
		{"purchase in an unlisted club", row("purchases", `"club_id":0`, `"club_id":999`), "purchases[0].club_id", "names club 999"},
		{"purchase of an unknown kind", row("purchases", `"kind":"charge"`, `"kind":"bogus"`), "purchases[0].kind", "not a value the format knows"},
		{"purchase of an unknown status", row("purchases", `"status":"succeeded"`, `"status":"nonsense"`), "purchases[0].status", "not a value the format knows"},
		{"purchase of negative coins", row("purchases", `"coins":50`, `"coins":-7`), "purchases[0].coins", "negative"},
		{"purchase of a negative amount", row("purchases", `"amount":500`, `"amount":-5`), "purchases[0].amount", "negative"},
		// Every other check.
		{"future active membership", func() *crafted {
			return g().set("memberships", strings.Replace(active, `"joined_at":"2026-11-01`, `"joined_at":"2027-11-01`, 1))
		}, "memberships[0].joined_at", "after the export was made"},
		{"active membership left after it joined", func() *crafted {
			return g().set("memberships", strings.Replace(active, `"left_at":null`, `"left_at":"2026-11-02T00:00:00Z"`, 1))
		}, "memberships[0].left_at", "after the current period began"},
		{"active membership with kept progress", func() *crafted {
			return g().set("memberships", strings.Replace(active, `"retained":null`, `"retained":{"option":"keep","points":1,"level":1,"until":null,"forever":true,"decay":"none","decay_days":0,"restore":"points"}`, 1))
		}, "memberships[0].retained", "only a left membership"},
		{"unknown membership status", m(`"status":"left"`, `"status":"banned"`), "memberships[0].status", "not a value the format knows"},
		{"membership of an unlisted club", m(`"club_id":1`, `"club_id":7`), "memberships[0].club_id", "names club 7"},
		{"two memberships of a club", func() *crafted {
			c := g()
			c.rows["memberships"] = append(c.rows["memberships"], active)
			return c
		}, "memberships[1].club_id", "second membership"},
		{"a listed club without membership", func() *crafted {
			c := g()
			c.clubs = append(c.clubs, `{"id":5,"name":"x","creator_id":1,"policy":"fair","policy_version":""}`)
			return c
		}, "clubs[1].id", "holds no membership"},
		{"a club listed twice", func() *crafted { c := g(); c.clubs = append(c.clubs, c.clubs[0]); return c }, "clubs[1].id", "twice"},
		{"a listed club also withheld", row("withheld", `"club_id":2`, `"club_id":1`), "withheld[0].club_id", "listed twice"},
		{"club without a creator", row("clubs", `"creator_id":1`, `"creator_id":0`), "clubs[0].creator_id", "not a positive id"},
		{"club without a policy", row("clubs", `"policy":"fair"`, `"policy":""`), "clubs[0].policy", "empty"},
		{"kept points negative", m(`"points":120`, `"points":-1`), "memberships[0].retained.points", "not a number of points"},
		{"kept level negative", m(`"level":2,"until"`, `"level":-1,"until"`), "memberships[0].retained.level", "negative"},
		{"kept until before the exit", m(`"until":"2026-12-10T00:00:00Z"`, `"until":"2026-11-09T00:00:00Z"`), "memberships[0].retained.until", "before left_at"},
		{"kept until in 2300", m(`"until":"2026-12-10T00:00:00Z"`, `"until":"2300-12-10T00:00:00Z"`), "memberships[0].retained.until", "not a time an export can hold"},
		{"kept for ever and until", m(`"forever":false`, `"forever":true`), "memberships[0].retained.until", "kept for ever"},
		{"kept neither for ever nor until", m(`"until":"2026-12-10T00:00:00Z"`, `"until":null`), "memberships[0].retained.until", "not kept for ever"},
		{"kept with an unknown decay", m(`"decay":"none"`, `"decay":"halving"`), "memberships[0].retained.decay", "not a value the format knows"},
		{"kept with negative decay days", m(`"decay_days":0`, `"decay_days":-2`), "memberships[0].retained.decay_days", "negative"},
		{"kept with an unknown restore", m(`"restore":"points"`, `"restore":"all"`), "memberships[0].retained.restore", "not a value the format knows"},
		{"kept without an option", m(`"option":"keep"`, `"option":""`), "memberships[0].retained.option", "empty"},
		{"fan without an id", row("fan", `"id":3`, `"id":0`), "fan.id", "not a positive id"},
		{"fan created after the export", row("fan", `"created_at":"2026-11-01T00:00:00Z"`, `"created_at":"2027-01-01T00:00:00Z"`), "fan.created_at", "after the export was made"},
		{"points beyond the bound", row("points", `"delta":-30`, `"delta":-1000000000000000001`), "points[0].delta", "not a change of points"},
		{"points after the export", row("points", `"at":"2026-11-10T00:00:00Z"`, `"at":"2026-12-10T00:00:00Z"`), "points[0].at", "after the export was made"},
		{"points without an id", row("points", `"id":1`, `"id":0`), "points[0].id", "not a positive id"},
		{"purchase settled before it was made", row("purchases", `"settled_at":"2026-11-02T00:00:01Z"`, `"settled_at":"2026-11-01T00:00:00Z"`), "purchases[0].settled_at", "before created_at"},
		{"purchase settled after the export", row("purchases", `"settled_at":"2026-11-02T00:00:01Z"`, `"settled_at":"2026-12-02T00:00:00Z"`), "purchases[0].settled_at", "after the export was made"},
		{"purchase in a lower-case currency", row("purchases", `"currency":"CNY"`, `"currency":"cny"`), "purchases[0].currency", "currency code"},
		{"purchase without a purpose", row("purchases", `"purpose":"coins"`, `"purpose":""`), "purchases[0].purpose", "empty"},
		{"subscription of an unknown plan", row("subscriptions", `"plan":"monthly"`, `"plan":"weekly"`), "subscriptions[0].plan", "not a value the format knows"},
		{"subscription of an unknown status", row("subscriptions", `"status":"canceled"`, `"status":"paused"`), "subscriptions[0].status", "not a value the format knows"},
		{"subscription of a negative price", row("subscriptions", `"price":1500`, `"price":-1`), "subscriptions[0].price", "negative"},
		{"subscription ending before it starts", row("subscriptions", `"period_end":"2026-12-02T00:00:00Z"`, `"period_end":"2026-10-02T00:00:00Z"`), "subscriptions[0].period_end", "before period_start"},
		{"subscription in an unlisted club", row("subscriptions", `"club_id":1`, `"club_id":2`), "subscriptions[0].club_id", "names club 2"},
		{"subscription without a tier", row("subscriptions", `"tier":"vip"`, `"tier":""`), "subscriptions[0].tier", "empty"},
		{"gift of negative coins", row("gifts", `"coins":5`, `"coins":-5`), "gifts[0].coins", "negative"},
		{"gift of a negative value", row("gifts", `"value":50`, `"value":-50`), "gifts[0].value", "negative"},
		{"gift of negative points", row("gifts", `"points":50`, `"points":-50`), "gifts[0].points", "not a number of points"},
		{"gift in an unlisted club", row("gifts", `"club_id":1`, `"club_id":0`), "gifts[0].club_id", "names club 0"},
		{"gift after the export", row("gifts", `"at":"2026-11-03T00:00:00Z"`, `"at":"2026-11-21T00:00:00Z"`), "gifts[0].at", "after the export was made"},
		{"interaction of a negative amount", row("interactions", `"amount":1`, `"amount":-1`), "interactions[0].amount", "negative"},
		{"interaction in 2300", row("interactions", `"at":"2026-11-03T00:00:00Z"`, `"at":"2300-11-03T00:00:00Z"`), "interactions[0].at", "not a time an export can hold"},
		{"interaction without an id", row("interactions", `"id":"ev-1"`, `"id":""`), "interactions[0].id", "empty"},
		{"receipt of an unknown action", row("receipts", `"action":"erase"`, `"action":"shred"`), "receipts[0].action", "not a value the format knows"},
		{"receipt of a negative count", row("receipts", `"count":3`, `"count":-3`), "receipts[0].count", "negative"},
		{"receipt of a negative kept", row("receipts", `"kept":1`, `"kept":-1`), "receipts[0].kept", "negative"},
		{"receipt in an unlisted club", row("receipts", `"club_id":1`, `"club_id":2`), "receipts[0].club_id", "names club 2"},
		{"receipt of a category that is no name", row("receipts", `"category":"behaviour_log"`, `"category":"Behaviour Log"`), "receipts[0].category", "data category"},
		{"receipt held until before it", row("receipts", `"until":null`, `"until":"2026-11-01T00:00:00Z"`), "receipts[0].until", "before at"},
		{"receipt after the export", row("receipts", `"at":"2026-11-10T00:00:00Z"`, `"at":"2026-11-30T00:00:00Z"`), "receipts[0].at", "after the export was made"},
		// The document's form.
		{"counts before the tables", edit(func(s string) string {
			i, j := strings.Index(s, `,"memberships":`), strings.Index(s, `,"counts":`)
			return s[:i] + s[j:] + s[i:j]
		}), "counts", `where "memberships" should be`},
		{"counts of zero rows before the tables", edit(func(s string) string {
			i := strings.Index(s, `,"memberships":`)
			return s[:i] + `,"counts":{}` + s[i:strings.Index(s, `,"counts":`)]
		}), "counts", `where "memberships" should be`},
		{"counts without a table", func() *crafted {
			c := g()
			c.counts = `{"memberships":1,"points":1,"purchases":1,"subscriptions":1,"interactions":1,"receipts":1}`
			return c
		}, "counts.gifts", "missing"},
		{"a member name twice in a row", row("points", `"delta":-30`, `"delta":-30,"delta":5`), "points[0]", "appears twice"},
		{"a member name in capitals", row("points", `"delta":-30`, `"DELTA":-30`), "points[0]", "plain lower-case name"},
		{"a member name with an escape", row("points", `"delta":-30`, `"d\u0065lta":-30`), "points[0]", "plain lower-case name"},
		{"a malformed key id", edit(func(s string) string {
			return strings.Replace(s, `"key_id":"`, `"key_id":"rsa:`, 1)
		}), "key_id", "not a key id"},
	}
}

func TestGoodCraftedExportImports(t *testing.T) {
	t.Parallel()
	in := newInstance(t, teststores.SQLite.Open, "b")
	fan, club := fanAndClubOn(t, in, countingPolicy)
	im, created, err := export.Import(context.Background(), bytes.NewReader(goodCrafted().sign(in.Signer)), keyOf(in), in.Engine, fan.ID,
		map[int64]int64{1: club.ID})
	if err != nil || !created {
		t.Fatalf("the good crafted document: created %v, %v", created, err)
	}
	m := im.Memberships[0]
	if m.Retained == nil || m.Retained.Points != 120 || m.TenureSeconds != 9*24*3600 {
		t.Errorf("imported membership = %+v (kept %+v)", m, m.Retained)
	}
}

// TestImportRefusesBadInput imports, on both stores, documents that are
// signed and well formed but hold a value no export can hold: each is
// refused with the path of the value, and nothing changes.
func TestImportRefusesBadInput(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		in := newInstance(t, open, "b")
		fan, club := fanAndClubOn(t, in, countingPolicy)
		before := snapshot(t, in, fan.ID)
		for _, tt := range badDocs() {
			doc := tt.doc().sign(in.Signer)
			_, created, err := export.Import(ctx, bytes.NewReader(doc), keyOf(in), in.Engine, fan.ID, map[int64]int64{1: club.ID})
			var de *export.DecodeError
			if !errors.As(err, &de) {
				t.Errorf("%s: created %v, err %v; want a DecodeError at %s", tt.name, created, err, tt.path)
				continue
			}
			if de.Path != tt.path || !strings.Contains(de.Message, tt.inMsg) {
				t.Errorf("%s: %v; want path %s and a message with %q", tt.name, err, tt.path, tt.inMsg)
			}
		}
		if ims, err := in.Engine.ListImports(ctx, fan.ID); err != nil || len(ims) != 0 {
			t.Errorf("refused documents stored %d imports (%v)", len(ims), err)
		}
		if after := snapshot(t, in, fan.ID); after != before {
			t.Errorf("refused documents changed balances: %+v -> %+v", before, after)
		}
	})
}

// TestBadValuesNameWhatIsAllowed checks that a refused value's error says
// what was found and what is allowed, as the API's field errors do.
func TestBadValuesNameWhatIsAllowed(t *testing.T) {
	t.Parallel()
	s := &export.Signer{Instance: "https://a.example", Key: fixedKey()}
	doc := goodCrafted().replace("purchases", `"kind":"charge"`, `"kind":"bogus"`).sign(s)
	_, err := export.Decode(bytes.NewReader(doc), trust(s.Key))
	var de *export.DecodeError
	if !errors.As(err, &de) || de.Found != `"bogus"` || de.Allowed != "charge, refund" || de.Offset <= 0 {
		t.Fatalf("err = %#v, want found \"bogus\", allowed charge, refund", err)
	}
	if !strings.Contains(err.Error(), `purchases[0].kind`) || !strings.Contains(err.Error(), "allowed charge, refund") {
		t.Errorf("message %q names neither the field nor what is allowed", err)
	}
}

// TestImportRefusesAnExportFromTheFuture: a document dated after the
// importing instance's time (beyond fanclub.ImportClockSkew) is refused
// by the engine, with nothing stored; one within the skew is imported.
func TestImportRefusesAnExportFromTheFuture(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		in := newInstance(t, open, "b")
		fan, club := fanAndClubOn(t, in, countingPolicy)
		for _, tt := range []struct {
			exported string
			ok       bool
		}{{"2100-01-01T00:00:00Z", false}, {"2026-11-20T04:06:00Z", false}, {"2026-11-20T04:04:00Z", true}} {
			c := goodCrafted()
			c.exported = tt.exported
			_, _, err := export.Import(ctx, bytes.NewReader(c.sign(in.Signer)), keyOf(in), in.Engine, fan.ID, map[int64]int64{1: club.ID})
			var fe *fanclub.Error
			switch {
			case tt.ok && err != nil:
				t.Errorf("exported_at %s (within the skew): %v", tt.exported, err)
			case !tt.ok && (!errors.As(err, &fe) || fe.Code != fanclub.EINVALID || len(fe.Fields) != 1 || fe.Fields[0].Path != "exported_at"):
				t.Errorf("exported_at %s: %v, want invalid at exported_at", tt.exported, err)
			}
		}
		if ims, _ := in.Engine.ListImports(ctx, fan.ID); len(ims) != 1 {
			t.Errorf("imports = %d, want the one within the skew", len(ims))
		}
	})
}

// TestImportedTimesReadBackAsReturned imports a document whose times
// carry another zone and nanoseconds: the import returned and the one
// stored are the same, in UTC, to the nanosecond.
func TestImportedTimesReadBackAsReturned(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		in := newInstance(t, open, "b")
		fan, club := fanAndClubOn(t, in, countingPolicy)
		c := goodCrafted().replace("memberships", `"joined_at":"2026-11-01T00:00:00Z"`, `"joined_at":"2026-11-01T08:00:00.123456789+08:00"`).
			replace("memberships", `"left_at":"2026-11-10T00:00:00Z"`, `"left_at":"2026-11-10T08:00:00.987654321+08:00"`)
		c.exported = "2026-11-20T11:59:59.999999999+08:00"
		im, _, err := export.Import(ctx, bytes.NewReader(c.sign(in.Signer)), keyOf(in), in.Engine, fan.ID, map[int64]int64{1: club.ID})
		if err != nil {
			t.Fatal(err)
		}
		ims, err := in.Engine.ListImports(ctx, fan.ID)
		if err != nil || len(ims) != 1 {
			t.Fatalf("imports = %v, %v", ims, err)
		}
		if asJSON(t, ims[0]) != asJSON(t, im) {
			t.Errorf("stored import differs from the returned one:\nstored   %s\nreturned %s", asJSON(t, ims[0]), asJSON(t, im))
		}
		want := time.Date(2026, 11, 20, 3, 59, 59, 999999999, time.UTC)
		if got := ims[0].ExportedAt; got != want {
			t.Errorf("exported_at read back as %v, want %v", got, want)
		}
		if got := ims[0].Memberships[0].JoinedAt; got != time.Date(2026, 11, 1, 0, 0, 0, 123456789, time.UTC) {
			t.Errorf("joined_at read back as %v", got)
		}
	})
}
