package fanclub_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
)

// testingT is what the helpers need of *testing.T and *rapid.T.
type testingT interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// presetSource resolves the four presets built in Go.
type presetSource struct{}

// Policy implements fanclub.PolicySource.
func (presetSource) Policy(name string) (*fanclub.Policy, error) {
	switch name {
	case "wechat-channels", "douyin", "kuaishou", "fair":
		return fanclub.PresetPolicyForTest(name), nil
	}
	return nil, fanclub.Errorf(fanclub.ENOTFOUND, "no policy %q", name)
}

// plainHasher is a fast, deterministic password hasher for tests.
type plainHasher struct{}

// Hash implements fanclub.PasswordHasher.
func (plainHasher) Hash(pw string) (string, error) {
	s := sha256.Sum256([]byte(pw))
	return hex.EncodeToString(s[:]), nil
}

// Verify implements fanclub.PasswordHasher.
func (h plainHasher) Verify(enc, pw string) (bool, error) {
	got, _ := h.Hash(pw)
	return got == enc, nil
}

// engineOn opens a fresh store with open (see teststores.Each), with a
// test clock, and an engine on it, resolving the presets built in Go.
func engineOn(t teststores.T, open teststores.Open) (*fanclub.Engine, *clock.Manual, fanclub.Store) {
	t.Helper()
	return engineWithPolicies(t, open, presetSource{})
}

// engineWithPolicies is engineOn with a given policy source.
func engineWithPolicies(t teststores.T, open teststores.Open, src fanclub.PolicySource) (*fanclub.Engine, *clock.Manual, fanclub.Store) {
	t.Helper()
	clock := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db := open(t, clock.Now)
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: src, Passwords: plainHasher{}, Random: rand.Reader})
	return e, clock, db
}

// world is a creator with one club per preset and some fans.
type world struct {
	clubs map[string]int64
	fans  []int64
}

// worldWithClubs creates a club per preset and n fans with password "password1".
func worldWithClubs(t testingT, e *fanclub.Engine, n int) world {
	t.Helper()
	ctx := context.Background()
	cr, err := e.CreateCreator(ctx, "creator")
	if err != nil {
		t.Fatalf("create creator: %v", err)
	}
	w := world{clubs: map[string]int64{}}
	for _, p := range []string{"wechat-channels", "douyin", "kuaishou", "fair"} {
		c, err := e.CreateClub(ctx, cr.ID, p+" club", p)
		if err != nil {
			t.Fatalf("create club: %v", err)
		}
		w.clubs[p] = c.ID
	}
	for i := range n {
		f, err := e.CreateFan(ctx, "fan_"+string(rune('a'+i)), "password1")
		if err != nil {
			t.Fatalf("create fan: %v", err)
		}
		w.fans = append(w.fans, f.ID)
	}
	return w
}

// memberOf makes a world of one fan (see worldWithClubs) and has the fan
// join the club of the named preset; it returns the fan's and club's ids.
func memberOf(t testingT, e *fanclub.Engine, preset string) (fan, club int64) {
	t.Helper()
	w := worldWithClubs(t, e, 1)
	fan, club = w.fans[0], w.clubs[preset]
	if _, err := e.Join(context.Background(), fan, club); err != nil {
		t.Fatalf("join %s: %v", preset, err)
	}
	return fan, club
}

// requestFromStore reads an exit request with its secrets.
func requestFromStore(t testingT, db fanclub.Store, id string) *fanclub.ExitRequest {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer func() { _ = tx.Rollback() }()
	r, err := tx.FindExitRequest(ctx, id)
	if err != nil {
		t.Fatalf("find exit request: %v", err)
	}
	return r
}

// rightAnswers answers every challenge of a request correctly.
func rightAnswers(t testingT, db fanclub.Store, id string) fanclub.ExitAnswers {
	r := requestFromStore(t, db, id)
	target := r.SliderTarget
	return fanclub.ExitAnswers{Confirm: true, Password: "password1", Captcha: r.CaptchaCode, Slider: &target}
}

// wrongAnswers fails the first challenge of a request.
func wrongAnswers(t testingT, db fanclub.Store, id string) fanclub.ExitAnswers {
	a := rightAnswers(t, db, id)
	r := requestFromStore(t, db, id)
	switch r.Challenges[0] {
	case fanclub.ChallengeConfirm:
		a.Confirm = false
	case fanclub.ChallengeSlider:
		far := r.SliderTarget + r.SliderTolerance + 1
		a.Slider = &far
	case fanclub.ChallengePassword:
		a.Password = "wrong-password"
	case fanclub.ChallengeCaptcha:
		a.Captcha = "x" + a.Captcha
	}
	return a
}
