package http

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// doKeyed sends a JSON request with a bearer token and Idempotency-Key
// headers (none when keys is empty).
func (a *testAPI) doKeyed(method, path, token, body string, keys ...string) response {
	a.t.Helper()
	header := http.Header{IdempotencyKeyHeader: keys}
	if body != "" {
		header.Set("Content-Type", "application/json")
	}
	return a.send(method, path, token, strings.NewReader(body), header)
}

// levelPoints reads a fan's level points in a club.
func (a *testAPI) levelPoints(fanTok string, club int64) int64 {
	a.t.Helper()
	var v fanclub.MembershipView
	a.must(200, "GET", fmt.Sprintf("/v1/clubs/%d/membership", club), fanTok, nil).JSON(a.t, &v)
	return v.LevelPoints
}

func TestIdempotentInteraction(t *testing.T) {
	t.Parallel()
	eachStore(t, testIdempotentInteraction)
}

func testIdempotentInteraction(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("idem_creator")
	club := a.newClub(creator, "Idem", "fair")
	_, alice := a.newFan("idem_alice")
	_, bob := a.newFan("idem_bob")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	for _, tok := range []string{alice, bob} {
		a.must(201, "PUT", base+"/membership", tok, nil)
	}
	comment := `{"action":"comment"}`
	first := a.doKeyed("POST", base+"/interactions", alice, comment, "key-1")
	if first.Status != 200 || first.Header.Get(ReplayedHeader) != "" {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	retry := a.doKeyed("POST", base+"/interactions", alice, comment, "key-1")
	if retry.Status != 200 || !bytes.Equal(retry.Body, first.Body) || retry.Header.Get(ReplayedHeader) != "true" {
		t.Fatalf("retry: %d %s %v, want the first response replayed: %s", retry.Status, retry.Body, retry.Header, first.Body)
	}
	if got := a.levelPoints(alice, club.ID); got != 5 {
		t.Fatalf("level points after a retried comment: %d, want 5", got)
	}
	for _, tc := range []struct{ name, method, path, body string }{
		{"another body", "POST", base + "/interactions", `{"action":"comment","amount":2}`},
		{"another route", "POST", base + "/exit-requests", ""},
	} {
		r := a.doKeyed(tc.method, tc.path, alice, tc.body, "key-1")
		if r.Status != 422 {
			t.Fatalf("%s under a used key: %d %s, want 422", tc.name, r.Status, r.Body)
		}
		if p := r.Problem(t); p.Code != fanclub.EKEYREUSED || !strings.Contains(p.Detail, "POST "+base+"/interactions") {
			t.Fatalf("%s: %+v", tc.name, p)
		}
	}
	// Keys are per principal: bob's key-1 is bob's own.
	if r := a.doKeyed("POST", base+"/interactions", bob, comment, "key-1"); r.Status != 200 || r.Header.Get(ReplayedHeader) != "" {
		t.Fatalf("bob's key-1: %d %s", r.Status, r.Body)
	}
	// Without a key every request counts.
	a.doKeyed("POST", base+"/interactions", alice, comment)
	a.doKeyed("POST", base+"/interactions", alice, comment)
	if got := a.levelPoints(alice, club.ID); got != 15 {
		t.Fatalf("level points after two unkeyed comments: %d, want 15", got)
	}
	// After the retention the response is gone, but the event id derived
	// from the key still counts the interaction once.
	a.Clock.Advance(fanclub.DefaultIdempotencyRetention + time.Second)
	a.must(200, "POST", base+"/interactions", alice, map[string]string{"action": "like"}) // relights the membership
	late := a.doKeyed("POST", base+"/interactions", alice, comment, "key-1")
	var res InteractionResult
	late.JSON(t, &res)
	if late.Status != 200 || late.Header.Get(ReplayedHeader) != "" || res.Result.Status != fanclub.EventDuplicate || res.Result.Points != 0 {
		t.Fatalf("retry after the retention: %d %s", late.Status, late.Body)
	}
}

func TestIdempotencyKeyValidation(t *testing.T) {
	t.Parallel()
	eachStore(t, testIdempotencyKeyValidation)
}

func testIdempotencyKeyValidation(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("idem_creator")
	club := a.newClub(creator, "Idem", "fair")
	_, fan := a.newFan("idem_fan")
	path := fmt.Sprintf("/v1/clubs/%d/interactions", club.ID)
	for _, tc := range []struct {
		name string
		keys []string
	}{
		{"too long", []string{strings.Repeat("k", fanclub.MaxIdempotencyKeyLen+1)}},
		{"a space", []string{"a key"}},
		{"non-ASCII", []string{"clé"}},
		{"two headers", []string{"k1", "k2"}},
	} {
		r := a.doKeyed("POST", path, fan, `{"action":"like"}`, tc.keys...)
		if r.Status != 400 {
			t.Fatalf("%s: %d %s, want 400", tc.name, r.Status, r.Body)
		}
		if p := r.Problem(t); len(p.Errors) != 1 || p.Errors[0].Path != IdempotencyKeyHeader || p.Errors[0].Allowed == "" {
			t.Fatalf("%s: %+v", tc.name, p)
		}
	}
	long := strings.Repeat("k", fanclub.MaxIdempotencyKeyLen)
	if r := a.doKeyed("POST", path, fan, `{"action":"like"}`, long); r.Status != 409 { // valid key; not a member yet
		t.Fatalf("longest key: %d %s", r.Status, r.Body)
	}
}

func TestIdempotentJoinAndExitRequest(t *testing.T) {
	t.Parallel()
	eachStore(t, testIdempotentJoinAndExitRequest)
}

func testIdempotentJoinAndExitRequest(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("idem_creator")
	club := a.newClub(creator, "Idem", "wechat-channels")
	_, fan := a.newFan("idem_fan")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	join := a.doKeyed("PUT", base+"/membership", fan, "", "join-1")
	again := a.doKeyed("PUT", base+"/membership", fan, "", "join-1")
	if join.Status != 201 || again.Status != 201 || !bytes.Equal(join.Body, again.Body) {
		t.Fatalf("join %d, retried join %d (want the first 201 replayed)", join.Status, again.Status)
	}
	req := a.doKeyed("POST", base+"/exit-requests", fan, "", "exit-1")
	retry := a.doKeyed("POST", base+"/exit-requests", fan, "", "exit-1")
	var r1, r2 exitRequest
	req.JSON(t, &r1)
	retry.JSON(t, &r2)
	if req.Status != 201 || retry.Status != 201 || r1.ID == "" || r1.ID != r2.ID || retry.Header.Get("Location") != "/v1/exit-requests/"+r1.ID {
		t.Fatalf("exit request %d %s, retry %d %s %v", req.Status, r1.ID, retry.Status, r2.ID, retry.Header)
	}
	confirm := fmt.Sprintf(`{"confirm":true,"slider":%d}`, a.sliderTarget(r1.ID))
	c1 := a.doKeyed("POST", "/v1/exit-requests/"+r1.ID+"/confirm", fan, confirm, "confirm-1")
	c2 := a.doKeyed("POST", "/v1/exit-requests/"+r1.ID+"/confirm", fan, confirm, "confirm-1")
	if c1.Status != 200 || c2.Status != 200 || !bytes.Equal(c1.Body, c2.Body) {
		t.Fatalf("confirm %d %s, retried %d %s", c1.Status, c1.Body, c2.Status, c2.Body)
	}
}

func TestFanGiftRefusedServiceGiftAccepted(t *testing.T) {
	t.Parallel()
	eachStore(t, testFanGiftRefusedServiceGiftAccepted)
}

func testFanGiftRefusedServiceGiftAccepted(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("gift_creator")
	club := a.newClub(creator, "Gifts", "fair")
	f, fan := a.newFan("gift_fan")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	a.must(201, "PUT", base+"/membership", fan, nil)
	p := a.must(400, "POST", base+"/interactions", fan, map[string]any{"action": "gift", "amount": 100000}).Problem(t)
	if p.Code != fanclub.EINVALID || len(p.Errors) != 1 || p.Errors[0].Path != "action" || p.Errors[0].Found != "gift" {
		t.Fatalf("a fan's gift: %+v", p)
	}
	big := a.must(400, "POST", base+"/interactions", fan, map[string]any{"action": "watch_minutes", "amount": 100_000_000_000}).Problem(t)
	if len(big.Errors) != 1 || big.Errors[0].Path != "amount" {
		t.Fatalf("a watch of 10^11 minutes: %+v", big)
	}
	now := a.Clock.Now()
	old, future := now.Add(-25*time.Hour), now.Add(time.Hour)
	batch := map[string]any{"events": []map[string]any{
		{"id": "g1", "fan_id": f.ID, "club_id": club.ID, "action": "gift", "amount": 16},
		{"id": "o1", "fan_id": f.ID, "club_id": club.ID, "action": "like", "at": old},
		{"id": "f1", "fan_id": f.ID, "club_id": club.ID, "action": "like", "at": future},
	}}
	var res fanclub.BatchResult
	a.must(200, "POST", "/v1/events:batch", a.Admin, batch).JSON(t, &res)
	got, _ := json.Marshal(res.Results)
	want := `[{"id":"g1","status":"accepted","points":160},{"id":"o1","status":"rejected","code":"too_old","points":0},{"id":"f1","status":"rejected","code":"in_future","points":0}]`
	if string(got) != want {
		t.Fatalf("batch results %s, want %s", got, want)
	}
	if lp := a.levelPoints(fan, club.ID); lp != 160 {
		t.Fatalf("level points %d, want 160", lp)
	}
}

// TestMeAfterOverflowingExits is the reported failure: level points at the
// int64 limit (what a self-awarded gift left), converted to general points
// by a kuaishou exit, twice, made GET /v1/me a 500 for ever.
func TestMeAfterOverflowingExits(t *testing.T) {
	t.Parallel()
	eachStore(t, testMeAfterOverflowingExits)
}

func testMeAfterOverflowingExits(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("ks_creator")
	club := a.newClub(creator, "Kuai", "kuaishou")
	fan, fanTok := a.newFan("overflow_fan")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	ctx := t.Context()
	for range 2 {
		a.must(201, "PUT", base+"/membership", fanTok, nil)
		tx, err := a.Store.BeginTx(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		m, err := tx.FindMembership(ctx, fan.ID, club.ID)
		if err != nil {
			t.Fatal(err)
		}
		m.LevelPoints, m.Level = 1<<63-1, 20
		if err := tx.SaveMemberships(ctx, []*fanclub.Membership{m}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		var req exitRequest
		a.must(201, "POST", base+"/exit-requests", fanTok, nil).JSON(t, &req)
		code, err := a.Engine.ExitCaptcha(ctx, fan.ID, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.must(200, "POST", req.Links.Confirm, fanTok, map[string]string{"captcha": code})
	}
	var me fanclub.FanView
	a.must(200, "GET", "/v1/me", fanTok, nil).JSON(t, &me)
	if me.GeneralPoints != fanclub.MaxPoints {
		t.Fatalf("general points %d, want the bound %d", me.GeneralPoints, fanclub.MaxPoints)
	}
}

func TestMalformedKeyedRequestIsNotStored(t *testing.T) {
	t.Parallel()
	eachStore(t, testMalformedKeyedRequestIsNotStored)
}

func testMalformedKeyedRequestIsNotStored(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("idem_creator")
	club := a.newClub(creator, "Idem", "fair")
	_, fan := a.newFan("idem_fan")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	a.must(201, "PUT", base+"/membership", fan, nil)
	if r := a.doKeyed("POST", base+"/interactions", fan, `{"action":"comment","amont":1}`, "k-fix"); r.Status != 400 {
		t.Fatalf("malformed: %d %s", r.Status, r.Body)
	}
	// The corrected request reuses the key: it runs, it is not a conflict.
	if r := a.doKeyed("POST", base+"/interactions", fan, `{"action":"comment"}`, "k-fix"); r.Status != 200 || r.Header.Get(ReplayedHeader) != "" {
		t.Fatalf("corrected: %d %s", r.Status, r.Body)
	}
	// A state-dependent refusal is stored: its retry is the same answer.
	missing := fmt.Sprintf("/v1/clubs/%d/interactions", club.ID+100)
	first := a.doKeyed("POST", missing, fan, `{"action":"like"}`, "k-404")
	again := a.doKeyed("POST", missing, fan, `{"action":"like"}`, "k-404")
	if first.Status != 404 || again.Status != 404 || again.Header.Get(ReplayedHeader) != "true" {
		t.Fatalf("refusal %d, retried %d %v", first.Status, again.Status, again.Header)
	}
}

// TestIdempotencyStoresNoFastDigestOfAPassword confirms an exit under an
// Idempotency-Key: the stored fingerprint must not be a SHA-256 of the
// body with the password in it (whoever reads the store could try
// passwords against it at SHA-256 speed, not argon2id's), and a retry
// that differs only in the password replays the first answer.
func TestIdempotencyStoresNoFastDigestOfAPassword(t *testing.T) {
	t.Parallel()
	eachStore(t, testIdempotencyStoresNoFastDigestOfAPassword)
}

func testIdempotencyStoresNoFastDigestOfAPassword(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("fp_creator")
	club := a.newClub(creator, "Dou", "douyin")
	f, fan := a.newFan("fp_fan")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), fan, nil)
	var req exitRequest
	a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", club.ID), fan, nil).JSON(t, &req)
	body := fmt.Sprintf(`{"slider":%d,"password":"hunter2-guess"}`, a.sliderTarget(req.ID))
	if r := a.doKeyed("POST", req.Links.Confirm, fan, body, "confirm-fp"); r.Status != 422 {
		t.Fatalf("wrong password: %d %s", r.Status, r.Body)
	}
	tx, err := a.Store.BeginTx(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := tx.FindIdempotentResponse(t.Context(), fmt.Sprintf("fan:%d", f.ID), "confirm-fp")
	_ = tx.Rollback()
	if err != nil {
		t.Fatal(err)
	}
	plain := sha256.Sum256([]byte("POST " + req.Links.Confirm + "\n" + body))
	if stored.Fingerprint == hex.EncodeToString(plain[:]) || strings.Contains(string(stored.Body), "hunter2") {
		t.Fatalf("the stored request fingerprint is a SHA-256 of the body with its password")
	}
	other := strings.Replace(body, "hunter2-guess", "another-guess", 1)
	if r := a.doKeyed("POST", req.Links.Confirm, fan, other, "confirm-fp"); r.Status != 422 || r.Header.Get(ReplayedHeader) != "true" {
		t.Fatalf("a retry with another password: %d %s, want the first answer replayed", r.Status, r.Body)
	}
	if got := a.must(200, "GET", "/v1/exit-requests/"+req.ID, fan, nil); !strings.Contains(string(got.Body), `"attempts":1`) {
		t.Fatalf("the replay counted an attempt: %s", got.Body)
	}
}
