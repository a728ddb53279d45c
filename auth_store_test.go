package fanclub_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
)

// engineWithAuth is engineOn with an auth configuration whose throttle
// reads the test clock, and a given hasher.
func engineWithAuth(t *testing.T, open teststores.Open, cfg fanclub.AuthConfig, h fanclub.PasswordHasher) (*fanclub.Engine, *clock.Manual, fanclub.Store) {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db := open(t, clk.Now)
	cfg.Now = clk.Now
	if h == nil {
		h = plainHasher{}
	}
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: presetSource{}, Passwords: h, Random: rand.Reader, Auth: cfg})
	return e, clk, db
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if fanclub.ErrorCode(err) != code {
		t.Fatalf("%s: %v, want code %s", what, err, code)
	}
}

func TestTokensExpireAndAreRevoked(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testTokensExpireAndAreRevoked)
}

func testTokensExpireAndAreRevoked(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, clk, _ := engineWithAuth(t, open, fanclub.AuthConfig{FanSessionTTL: 24 * time.Hour, TokenTTL: 2 * time.Hour, MaxTokenTTL: 48 * time.Hour}, nil)
	start := clk.Now()
	f, err := e.CreateFan(ctx, "lin_99", "password1")
	if err != nil {
		t.Fatal(err)
	}
	cr, err := e.CreateCreator(ctx, "maker")
	if err != nil {
		t.Fatal(err)
	}
	sess, _, err := e.LoginFan(ctx, "lin_99", "password1", "")
	if err != nil || !sess.ExpiresAt.Equal(start.Add(24*time.Hour)) || sess.TokenID == 0 {
		t.Fatalf("login: %+v %v, want expiry after the session TTL and an id", sess, err)
	}
	ctok, err := e.IssueTokenTTL(ctx, fanclub.RoleCreator, cr.ID, 0)
	if err != nil || !ctok.ExpiresAt.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("creator token: %+v %v, want the default TTL", ctok, err)
	}
	long, err := e.IssueTokenTTL(ctx, fanclub.RoleCreator, cr.ID, 48*time.Hour)
	if err != nil || !long.ExpiresAt.Equal(start.Add(48*time.Hour)) {
		t.Fatalf("48h token: %+v %v", long, err)
	}
	for _, tc := range []struct {
		name    string
		role    fanclub.Role
		subject int64
		ttl     time.Duration
		code    string
		path    string
	}{
		{"unknown fan", fanclub.RoleFan, f.ID + 100, 0, fanclub.ENOTFOUND, ""},
		{"unknown creator", fanclub.RoleCreator, cr.ID + 100, 0, fanclub.ENOTFOUND, ""},
		{"admin with a subject", fanclub.RoleAdmin, 3, 0, fanclub.EINVALID, "subject_id"},
		{"fan without a subject", fanclub.RoleFan, 0, 0, fanclub.EINVALID, "subject_id"},
		{"unknown role", "root", 0, 0, fanclub.EINVALID, "role"},
		{"ttl over the maximum", fanclub.RoleCreator, cr.ID, 49 * time.Hour, fanclub.EINVALID, "ttl"},
		{"negative ttl", fanclub.RoleCreator, cr.ID, -time.Hour, fanclub.EINVALID, "ttl"},
	} {
		_, err := e.IssueTokenTTL(ctx, tc.role, tc.subject, tc.ttl)
		wantCode(t, tc.name, err, tc.code)
		if fs := fanclub.ErrorFields(err); tc.path != "" && (len(fs) != 1 || fs[0].Path != tc.path) {
			t.Errorf("%s: fields %+v, want one at %s", tc.name, fs, tc.path)
		}
	}

	if p, err := e.Authenticate(ctx, ctok.Token); err != nil || p.TokenID != ctok.TokenID {
		t.Fatalf("authenticate creator token: %+v %v", p, err)
	}
	if err := e.RevokeToken(ctx, ctok.TokenID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if err := e.RevokeToken(ctx, ctok.TokenID); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
	wantCode(t, "revoke unknown", e.RevokeToken(ctx, 9999), fanclub.ENOTFOUND)
	_, err = e.Authenticate(ctx, ctok.Token)
	wantCode(t, "revoked token", err, fanclub.EUNAUTHORIZED)
	if !strings.Contains(fanclub.ErrorMessage(err), "revoked") {
		t.Errorf("revoked token message %q does not say revoked", fanclub.ErrorMessage(err))
	}

	clk.Advance(24*time.Hour - time.Second)
	if _, left, err := e.AuthenticateLeft(ctx, sess.Token); err != nil || left != time.Second {
		t.Fatalf("session a second before expiry: %v, %v left; want 1s", err, left)
	}
	clk.Advance(time.Second)
	_, err = e.Authenticate(ctx, sess.Token)
	wantCode(t, "expired session", err, fanclub.EUNAUTHORIZED)
	if !strings.Contains(fanclub.ErrorMessage(err), "expired") {
		t.Errorf("expired token message %q does not say expired", fanclub.ErrorMessage(err))
	}
	if _, err := e.Authenticate(ctx, long.Token); err != nil {
		t.Fatalf("48h token after 24h: %v", err)
	}
}

func TestHasLiveAdminToken(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testHasLiveAdminToken)
}

func testHasLiveAdminToken(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, clk, _ := engineWithAuth(t, open, fanclub.AuthConfig{TokenTTL: time.Hour}, nil)
	live := func() bool {
		t.Helper()
		ok, err := e.HasLiveToken(ctx, fanclub.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if live() {
		t.Fatal("live admin token in an empty database")
	}
	a, err := e.IssueTokenTTL(ctx, fanclub.RoleAdmin, 0, 0)
	if err != nil || !live() {
		t.Fatalf("after issuing: %v live=%v", err, live())
	}
	if err := e.RevokeToken(ctx, a.TokenID); err != nil || live() {
		t.Fatalf("after revoking: %v live=%v", err, live())
	}
	if _, err := e.IssueTokenTTL(ctx, fanclub.RoleAdmin, 0, 0); err != nil || !live() {
		t.Fatalf("second admin token: %v", err)
	}
	clk.Advance(time.Hour)
	if live() {
		t.Fatal("an expired admin token counts as live")
	}
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testLoginThrottle)
}

func testLoginThrottle(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, clk, _ := engineWithAuth(t, open, fanclub.AuthConfig{Throttle: fanclub.ThrottleConfig{Free: 3, AddrFree: 5, Base: time.Second, Max: 4 * time.Second}}, nil)
	if _, err := e.CreateFan(ctx, "lin_99", "password1"); err != nil {
		t.Fatal(err)
	}
	login := func(handle, pw, addr string) error {
		_, _, err := e.LoginFan(ctx, handle, pw, addr)
		return err
	}
	retryAfter := func(err error) int {
		var de *fanclub.Error
		if !errors.As(err, &de) {
			return -1
		}
		return de.RetryAfter
	}
	for i := range 3 {
		wantCode(t, "wrong password", login("lin_99", "wrong", "10.0.0.1"), fanclub.EUNAUTHORIZED)
		_ = i
	}
	err := login("lin_99", "password1", "10.0.0.2")
	wantCode(t, "right password while locked", err, fanclub.ETOOMANY)
	if retryAfter(err) != 1 {
		t.Fatalf("Retry-After %d, want 1", retryAfter(err))
	}
	clk.Advance(time.Second)
	wantCode(t, "fourth wrong password", login("lin_99", "wrong", "10.0.0.3"), fanclub.EUNAUTHORIZED)
	err = login("lin_99", "password1", "10.0.0.3")
	if fanclub.ErrorCode(err) != fanclub.ETOOMANY || retryAfter(err) != 2 {
		t.Fatalf("after a fourth failure: %v (retry after %d), want 2 s", err, retryAfter(err))
	}
	for _, want := range []int{4, 4} { // doubling, capped at Max
		clk.Advance(time.Duration(retryAfter(err)) * time.Second)
		wantCode(t, "wrong password", login("lin_99", "wrong", "10.0.0.3"), fanclub.EUNAUTHORIZED)
		err = login("lin_99", "password1", "10.0.0.3")
		if retryAfter(err) != want {
			t.Fatalf("retry after %d, want %d (%v)", retryAfter(err), want, err)
		}
	}
	clk.Advance(4 * time.Second)
	if err := login("lin_99", "password1", "10.0.0.3"); err != nil {
		t.Fatalf("right password after the lock: %v", err)
	}
	wantCode(t, "a failure after a success is free", login("lin_99", "wrong", "10.0.0.3"), fanclub.EUNAUTHORIZED)
	wantCode(t, "and so is the next", login("lin_99", "wrong", "10.0.0.3"), fanclub.EUNAUTHORIZED)

	// One address trying many handles, known or not.
	for _, h := range []string{"ann", "bob", "cat", "dan", "eve"} {
		wantCode(t, "unknown handle", login(h, "guess", "10.9.9.9"), fanclub.EUNAUTHORIZED)
	}
	wantCode(t, "sixth handle from the address", login("fay", "guess", "10.9.9.9"), fanclub.ETOOMANY)
	wantCode(t, "an unknown handle is throttled like a known one", login("ann", "guess", "10.1.1.1"), fanclub.EUNAUTHORIZED)
}

func TestExitPasswordThrottledAcrossRequests(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testExitPasswordThrottledAcrossRequests)
}

func testExitPasswordThrottledAcrossRequests(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, clk, db := engineWithAuth(t, open, fanclub.AuthConfig{Throttle: fanclub.ThrottleConfig{Free: 3, Base: time.Minute, Max: time.Hour}}, nil)
	fan, club := memberOf(t, e, "douyin")
	wrongPassword := func(id string) fanclub.ExitAnswers {
		a := rightAnswers(t, db, id)
		a.Password = "not-the-password"
		return a
	}
	r1, err := e.RequestExit(ctx, fan, club, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, err := e.ConfirmExit(ctx, fan, r1.ID, wrongPassword(r1.ID))
		wantCode(t, "wrong exit password", err, fanclub.ECHALLENGE)
	}
	r2, err := e.RequestExit(ctx, fan, club, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ConfirmExit(ctx, fan, r2.ID, wrongPassword(r2.ID))
	wantCode(t, "wrong password on a new request while locked", err, fanclub.ETOOMANY)
	_, err = e.ConfirmExit(ctx, fan, r2.ID, rightAnswers(t, db, r2.ID))
	wantCode(t, "right password while locked", err, fanclub.ETOOMANY)
	if got := requestFromStore(t, db, r2.ID); got.Attempts != 0 || got.Status != fanclub.ExitPending {
		t.Fatalf("a throttled confirm changed the request: %+v", got)
	}
	clk.Advance(time.Minute)
	if _, err := e.ConfirmExit(ctx, fan, r2.ID, rightAnswers(t, db, r2.ID)); err != nil {
		t.Fatalf("right answers after the lock: %v", err)
	}
}

func TestExitRequestSupersedesThePendingOne(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testExitRequestSupersedesThePendingOne)
}

func testExitRequestSupersedesThePendingOne(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, _, db := engineOn(t, open)
	w := worldWithClubs(t, e, 1)
	fan := w.fans[0]
	for _, c := range []int64{w.clubs["fair"], w.clubs["kuaishou"]} {
		if _, err := e.Join(ctx, fan, c); err != nil {
			t.Fatal(err)
		}
	}
	other, err := e.RequestExit(ctx, fan, w.clubs["kuaishou"], nil)
	if err != nil {
		t.Fatal(err)
	}
	r1, err := e.RequestExit(ctx, fan, w.clubs["fair"], nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.RequestExit(ctx, fan, w.clubs["fair"], map[string]string{"progress": "nope"})
	wantCode(t, "invalid choices", err, fanclub.EINVALID)
	if got, _ := e.ExitRequest(ctx, fan, r1.ID); got.Status != fanclub.ExitPending {
		t.Fatalf("an invalid request superseded the pending one: %s", got.Status)
	}
	r2, err := e.RequestExit(ctx, fan, w.clubs["fair"], nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.ExitRequest(ctx, fan, r1.ID); got.Status != fanclub.ExitSuperseded {
		t.Fatalf("old request %s, want superseded", got.Status)
	}
	if got, _ := e.ExitRequest(ctx, fan, other.ID); got.Status != fanclub.ExitPending {
		t.Fatalf("the request in another club is %s, want pending", got.Status)
	}
	_, err = e.ConfirmExit(ctx, fan, r1.ID, rightAnswers(t, db, r1.ID))
	wantCode(t, "confirm superseded", err, fanclub.ECONFLICT)
	if !strings.Contains(fanclub.ErrorMessage(err), "superseded") {
		t.Errorf("message %q does not say superseded", fanclub.ErrorMessage(err))
	}
	if _, err := e.ConfirmExit(ctx, fan, r2.ID, rightAnswers(t, db, r2.ID)); err != nil {
		t.Fatalf("confirm the new request: %v", err)
	}
}

// recordingHasher is plainHasher that records the hashes it verifies against.
type recordingHasher struct {
	plainHasher
	mu       sync.Mutex
	hashed   []string
	verified []string
}

func (h *recordingHasher) Hash(pw string) (string, error) {
	s, err := h.plainHasher.Hash(pw)
	h.mu.Lock()
	h.hashed = append(h.hashed, s)
	h.mu.Unlock()
	return s, err
}

func (h *recordingHasher) Verify(enc, pw string) (bool, error) {
	h.mu.Lock()
	h.verified = append(h.verified, enc)
	h.mu.Unlock()
	return h.plainHasher.Verify(enc, pw)
}

func TestUnknownHandleCostsAPasswordCheck(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testUnknownHandleCostsAPasswordCheck)
}

func testUnknownHandleCostsAPasswordCheck(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	h := &recordingHasher{}
	e, _, _ := engineWithAuth(t, open, fanclub.AuthConfig{}, h)
	if len(h.hashed) != 1 {
		t.Fatalf("the engine made %d hashes at start, want 1 (the dummy)", len(h.hashed))
	}
	dummy := h.hashed[0]
	_, _, err := e.LoginFan(ctx, "nobody", "dummy? no", "")
	wantCode(t, "unknown handle", err, fanclub.EUNAUTHORIZED)
	if len(h.verified) != 1 || h.verified[0] != dummy {
		t.Fatalf("verified against %q, want one check against the dummy hash %q", h.verified, dummy)
	}
	_, _, err = e.LoginFan(ctx, "nobody", "fanclub dummy password, never a fan's", "")
	wantCode(t, "the dummy's own password", err, fanclub.EUNAUTHORIZED)
}

// gateHasher blocks every Verify until released, counting those inside.
type gateHasher struct {
	plainHasher
	inside, peak atomic.Int32
	entered      chan struct{}
	release      chan struct{}
}

func (h *gateHasher) Verify(enc, pw string) (bool, error) {
	n := h.inside.Add(1)
	for {
		p := h.peak.Load()
		if n <= p || h.peak.CompareAndSwap(p, n) {
			break
		}
	}
	h.entered <- struct{}{}
	<-h.release
	h.inside.Add(-1)
	return h.plainHasher.Verify(enc, pw)
}

func TestPasswordChecksAreBounded(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testPasswordChecksAreBounded)
}

func testPasswordChecksAreBounded(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	h := &gateHasher{entered: make(chan struct{}, 16), release: make(chan struct{})}
	e, _, _ := engineWithAuth(t, open, fanclub.AuthConfig{PasswordConcurrency: 2, Throttle: fanclub.ThrottleConfig{Disabled: true}}, h)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { _, _, _ = e.LoginFan(ctx, "nobody", "pw", "") })
	}
	<-h.entered
	<-h.entered
	// Two checks hold both slots; a third must not start. (Without the
	// bound it starts at once; the wait only gives it the chance.)
	select {
	case <-h.entered:
		t.Errorf("a third password check started while two ran")
	case <-time.After(200 * time.Millisecond):
	}
	// A login waiting for a slot gives up when its context ends. (The
	// pause lets it reach the wait; a slower machine gets longer pauses.)
	var err error
	for pause := 50 * time.Millisecond; pause < 5*time.Second; pause *= 2 {
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { _, _, err := e.LoginFan(cctx, "nobody", "pw", ""); done <- err }()
		time.Sleep(pause)
		cancel()
		if err = <-done; errors.Is(err, context.Canceled) && strings.Contains(err.Error(), "password slot") {
			break
		}
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "password slot") {
		t.Errorf("a login waiting for a slot after its context ended: %v, want context.Canceled", err)
	}
	close(h.release)
	wg.Wait()
	if p := h.peak.Load(); p != 2 {
		t.Errorf("peak concurrent checks %d, want 2", p)
	}
}

// writeProbeHasher's Verify opens a write transaction on db and reports
// whether it could: it cannot while its caller holds the write lock.
type writeProbeHasher struct {
	plainHasher
	db      fanclub.Store
	blocked atomic.Int32
}

func (h *writeProbeHasher) Verify(enc, pw string) (bool, error) {
	if h.db != nil {
		got := make(chan struct{})
		go func() {
			tx, err := h.db.BeginTx(context.Background(), true)
			if err == nil {
				_ = tx.Rollback()
			}
			close(got)
		}()
		select {
		case <-got:
		case <-time.After(10 * time.Second): // a deadlock guard, not a speed check
			h.blocked.Add(1)
		}
	}
	return h.plainHasher.Verify(enc, pw)
}

// TestPasswordsAreCheckedOutsideWriteTransactions runs on SQLite only: its
// probe sees an open write transaction by SQLite's single writer lock
// blocking a second one, and PostgreSQL has no such lock.
func TestPasswordsAreCheckedOutsideWriteTransactions(t *testing.T) {
	t.Parallel()
	t.Run(teststores.SQLite.Name, func(t *testing.T) {
		testPasswordsAreCheckedOutsideWriteTransactions(t, teststores.SQLite.Open)
	})
}

func testPasswordsAreCheckedOutsideWriteTransactions(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	h := &writeProbeHasher{}
	e, _, db := engineWithAuth(t, open, fanclub.AuthConfig{}, h)
	w := worldWithClubs(t, e, 1)
	h.db = db
	fan, club := w.fans[0], w.clubs["douyin"]
	if _, err := e.Join(ctx, fan, club); err != nil {
		t.Fatal(err)
	}
	r, err := e.RequestExit(ctx, fan, club, nil)
	if err != nil {
		t.Fatal(err)
	}
	wrong := rightAnswers(t, db, r.ID)
	wrong.Password = "not-the-password"
	_, err = e.ConfirmExit(ctx, fan, r.ID, wrong)
	wantCode(t, "wrong password", err, fanclub.ECHALLENGE)
	if got := requestFromStore(t, db, r.ID); got.Attempts != 1 {
		t.Fatalf("attempts %d after a wrong password, want 1", got.Attempts)
	}
	if _, err := e.ConfirmExit(ctx, fan, r.ID, rightAnswers(t, db, r.ID)); err != nil {
		t.Fatalf("right answers: %v", err)
	}
	if _, _, err := e.LoginFan(ctx, "fan_a", "password1", ""); err != nil {
		t.Fatalf("login: %v", err)
	}
	if n := h.blocked.Load(); n != 0 {
		t.Fatalf("%d password checks ran while a write transaction was open", n)
	}
}

func TestThrottleForgetsUnlockedKeysFirst(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testThrottleForgetsUnlockedKeysFirst)
}

func testThrottleForgetsUnlockedKeysFirst(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, clk, _ := engineWithAuth(t, open, fanclub.AuthConfig{Throttle: fanclub.ThrottleConfig{Free: 2, Base: time.Minute, MaxKeys: 4}}, nil)
	login := func(handle string) error {
		_, _, err := e.LoginFan(ctx, handle, "guess", "")
		return err
	}
	wantCode(t, "first failure", login("locked"), fanclub.EUNAUTHORIZED)
	wantCode(t, "second failure", login("locked"), fanclub.EUNAUTHORIZED)
	wantCode(t, "locked", login("locked"), fanclub.ETOOMANY)
	for i := range 20 { // one failure each: remembered, not locked
		wantCode(t, "other handle", login("other_"+string(rune('a'+i))), fanclub.EUNAUTHORIZED)
	}
	wantCode(t, "still locked after the sweeps", login("locked"), fanclub.ETOOMANY)
	clk.Advance(time.Minute)
	wantCode(t, "after the lock", login("locked"), fanclub.EUNAUTHORIZED)
}

func TestConcurrentWrongConfirmsAreAllCounted(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testConcurrentWrongConfirmsAreAllCounted)
}

func testConcurrentWrongConfirmsAreAllCounted(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, _, db := engineWithAuth(t, open, fanclub.AuthConfig{Throttle: fanclub.ThrottleConfig{Disabled: true}}, nil)
	fan, club := memberOf(t, e, "douyin")
	r, err := e.RequestExit(ctx, fan, club, nil)
	if err != nil {
		t.Fatal(err)
	}
	wrong := rightAnswers(t, db, r.ID)
	wrong.Password = "not-the-password"
	var wg sync.WaitGroup
	codes := make(chan string, 3)
	for range 3 {
		wg.Go(func() {
			_, err := e.ConfirmExit(ctx, fan, r.ID, wrong)
			codes <- fanclub.ErrorCode(err)
		})
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != fanclub.ECHALLENGE && c != fanclub.ECONFLICT {
			t.Errorf("concurrent wrong confirm: %s", c)
		}
	}
	got := requestFromStore(t, db, r.ID)
	if got.Attempts != got.MaxAttempts || got.Status != fanclub.ExitVoid {
		t.Fatalf("after %d concurrent wrong confirms: attempts %d, status %s; want every one counted and the request void", 3, got.Attempts, got.Status)
	}
}
