package fanclub_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fanclub/internal/teststores"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/postgres"
	"fanclub/postgres/pgtest"
	"fanclub/sqlite"
)

// Failure injection modes of flakyStore.
const (
	injectNone   = iota
	injectCommit // every other commit (read or write) fails
	injectWrite  // the first write of every other write transaction fails
)

// flakyStore wraps a real store and fails transactions with a retryable
// error, as PostgreSQL fails a transaction that lost a conflict: at
// commit, after the transaction function did all its work
// (injectCommit), or at its first write, after which every call and the
// commit fail alike (injectWrite). Either way the engine's retry runs
// the transaction function again.
type flakyStore struct {
	fanclub.Store
	mode int

	mu       sync.Mutex
	failNext bool
	injected int
}

// BeginTx begins a transaction of the real store.
func (s *flakyStore) BeginTx(ctx context.Context, write bool) (fanclub.Tx, error) {
	tx, err := s.Store.BeginTx(ctx, write)
	if err != nil {
		return nil, err
	}
	ft := &flakyTx{Tx: tx, s: s}
	if s.mode == injectWrite && write {
		ft.failWrite = s.toggle()
	}
	return ft, nil
}

// BeginLockingTx begins a locking transaction of the real store when it
// offers them (fanclub.LockingStore), a write transaction otherwise, and
// fails it like BeginTx's: the ingest path is retried alike.
func (s *flakyStore) BeginLockingTx(ctx context.Context) (fanclub.Tx, error) {
	ls, ok := s.Store.(fanclub.LockingStore)
	if !ok {
		return s.BeginTx(ctx, true)
	}
	tx, err := ls.BeginLockingTx(ctx)
	if err != nil {
		return nil, err
	}
	ft := &flakyTx{Tx: tx, s: s}
	if s.mode == injectWrite {
		ft.failWrite = s.toggle()
	}
	return ft, nil
}

// toggle reports whether this transaction fails: every other one does.
func (s *flakyStore) toggle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := !s.failNext
	s.failNext = fail
	return fail
}

func (s *flakyStore) count() {
	s.mu.Lock()
	s.injected++
	s.mu.Unlock()
}

type flakyTx struct {
	fanclub.Tx
	s *flakyStore
	// failWrite makes the first write fail; failed is the error after it.
	failWrite bool
	failed    error
}

var errInjected = &fanclub.RetryableError{Op: "write", Err: errors.New("injected serialization failure")}

// write fails the transaction at its first write when it is to fail.
func (t *flakyTx) write() error {
	if t.failWrite && t.failed == nil {
		t.failed = errInjected
		t.s.count()
	}
	return t.failed
}

// Commit fails every other time (injectCommit), or when a write failed.
func (t *flakyTx) Commit() error {
	if t.failed != nil {
		_ = t.Tx.Rollback()
		return t.failed
	}
	if t.s.mode == injectCommit && t.s.toggle() {
		t.s.count()
		_ = t.Tx.Rollback()
		return &fanclub.RetryableError{Op: "commit", Err: errors.New("injected serialization failure")}
	}
	return t.Tx.Commit()
}

func (t *flakyTx) CreateFan(ctx context.Context, f *fanclub.Fan) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.CreateFan(ctx, f)
}

func (t *flakyTx) CreateCreator(ctx context.Context, c *fanclub.Creator) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.CreateCreator(ctx, c)
}

func (t *flakyTx) CreateClub(ctx context.Context, c *fanclub.Club) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.CreateClub(ctx, c)
}

func (t *flakyTx) SaveMemberships(ctx context.Context, ms []*fanclub.Membership) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.SaveMemberships(ctx, ms)
}

func (t *flakyTx) InsertEvents(ctx context.Context, events []fanclub.Event) ([]bool, error) {
	if err := t.write(); err != nil {
		return nil, err
	}
	return t.Tx.InsertEvents(ctx, events)
}

func (t *flakyTx) CreateToken(ctx context.Context, tok *fanclub.Token) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.CreateToken(ctx, tok)
}

func (t *flakyTx) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.RevokeToken(ctx, id, at)
}

func (t *flakyTx) CreateExitRequest(ctx context.Context, r *fanclub.ExitRequest) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.CreateExitRequest(ctx, r)
}

func (t *flakyTx) UpdateExitRequest(ctx context.Context, r *fanclub.ExitRequest) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.UpdateExitRequest(ctx, r)
}

func (t *flakyTx) SaveIdempotentResponse(ctx context.Context, r *fanclub.IdempotentResponse) (*fanclub.IdempotentResponse, error) {
	if err := t.write(); err != nil {
		return nil, err
	}
	return t.Tx.SaveIdempotentResponse(ctx, r)
}

// ListEffectsOfFans keeps the store's bulk read on the ingest path.
func (t *flakyTx) ListEffectsOfFans(ctx context.Context, fanIDs []int64, at time.Time) (map[int64][]fanclub.Effect, error) {
	if bt, ok := t.Tx.(fanclub.BulkEffectsTx); ok {
		return bt.ListEffectsOfFans(ctx, fanIDs, at)
	}
	out := map[int64][]fanclub.Effect{}
	for _, f := range fanIDs {
		efs, err := t.Tx.ListEffects(ctx, f, at)
		if err != nil {
			return nil, err
		}
		if len(efs) > 0 {
			out[f] = efs
		}
	}
	return out, nil
}

// tallyObserver counts ingest and exit outcomes.
type tallyObserver struct {
	mu     sync.Mutex
	counts map[string]int
}

func (o *tallyObserver) add(k string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.counts == nil {
		o.counts = map[string]int{}
	}
	o.counts[k] += n
}

func (o *tallyObserver) EventsIngested(outcome string, n int) { o.add("events:"+outcome, n) }
func (o *tallyObserver) ExitConfirmation(policy, outcome string) {
	o.add("exit:"+policy+":"+outcome, 1)
}
func (o *tallyObserver) TxStarted(bool) func(error) { return func(error) {} }

// retryStores opens, per store kind, a fresh store on a clock.
var retryStores = []struct {
	name string
	open func(t *testing.T, now func() time.Time) fanclub.Store
}{
	{"sqlite", func(t *testing.T, now func() time.Time) fanclub.Store {
		db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{Now: now})
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}},
	{"postgres", func(t *testing.T, now func() time.Time) fanclub.Store {
		return pgtest.Open(t, postgres.Options{Now: now})
	}},
}

// TestRetrySafety runs one workload touching every kind of write
// transaction on a fresh store each time: once as is, once with every
// other commit failing as a conflict and once with every other write
// transaction failing at its first write. What the
// callers see, what the store holds after and what the observer counted
// must be the same: a transaction function run twice must not append,
// count or book anything twice.
func TestRetrySafety(t *testing.T) {
	t.Parallel()
	for _, st := range retryStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			if st.name == "postgres" {
				pgtest.URL(t) // skips without a server
			}
			plain, plainObs, _ := retryWorkload(t, st.open, injectNone)
			for _, m := range []struct {
				name string
				mode int
				min  int
			}{{"at commit", injectCommit, 40}, {"at the first write", injectWrite, 25}} {
				flaky, flakyObs, injected := retryWorkload(t, st.open, m.mode)
				if injected < m.min {
					t.Fatalf("%s: only %d failures injected; the workload did not run its transactions twice", m.name, injected)
				}
				for i := range max(len(plain), len(flaky)) {
					var p, f string
					if i < len(plain) {
						p = plain[i]
					}
					if i < len(flaky) {
						f = flaky[i]
					}
					if p != f {
						t.Errorf("step %d differs with transactions failing %s:\n  once:    %s\n  retried: %s", i, m.name, p, f)
					}
				}
				if fmt.Sprint(plainObs) != fmt.Sprint(flakyObs) {
					t.Errorf("observer counts differ with transactions failing %s:\n  once:    %v\n  retried: %v", m.name, plainObs, flakyObs)
				}
			}
		})
	}
}

// retryWorkload runs the workload on a fresh store and returns its
// transcript (one line per step, ids and secrets left out: a rolled-back
// run may use up PostgreSQL sequence values and random bytes), the
// observer's counts and the number of failures injected.
func retryWorkload(t *testing.T, open func(*testing.T, func() time.Time) fanclub.Store, mode int) ([]string, map[string]int, int) {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	raw := open(t, clk.Now)
	store := &flakyStore{Store: raw, mode: mode}
	obs := &tallyObserver{}
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: store, Policies: presetSource{}, Passwords: plainHasher{},
		Random: rand.Reader, Observer: obs})
	var lines []string
	rec := func(step string, v any, err error) {
		lines = append(lines, step+" "+scrub(t, v)+" err="+fanclub.ErrorCode(err))
	}
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}

	cr, err := e.CreateCreator(ctx, "studio")
	must("create creator", err)
	rec("creator", cr, err)
	clubs := map[string]int64{}
	for _, p := range []string{"kuaishou", "douyin", "fair"} {
		c, err := e.CreateClub(ctx, cr.ID, p+" club", p)
		must("create club", err)
		rec("club", c, err)
		clubs[p] = c.ID
	}
	_, err = e.CreateClub(ctx, cr.ID, "bad", "nope")
	rec("club unknown policy", nil, err)
	var fans []int64
	for i := range 4 {
		f, err := e.CreateFan(ctx, fmt.Sprintf("fan_%d", i), "password-"+fmt.Sprint(i))
		must("create fan", err)
		rec("fan", f, err)
		fans = append(fans, f.ID)
	}
	_, err = e.CreateFan(ctx, "fan_0", "password-x")
	rec("fan taken", nil, err)

	for _, f := range fans {
		for _, p := range []string{"kuaishou", "douyin", "fair"} {
			v, err := e.Join(ctx, f, clubs[p])
			rec("join "+p, v, err)
		}
	}
	v, err := e.Join(ctx, fans[0], clubs["fair"])
	rec("join again", v, err)

	// Ingest: a batch with caps, in-batch and stored duplicates, rejects,
	// then the same (producer, seq) again.
	clk.Advance(time.Minute)
	var evs []fanclub.EventInput
	for i, f := range fans {
		for j, p := range []string{"kuaishou", "douyin", "fair"} {
			evs = append(evs,
				fanclub.EventInput{ID: fmt.Sprintf("w-%d-%d", i, j), FanID: f, ClubID: clubs[p], Action: fanclub.ActionWatchMinutes, Amount: 45},
				fanclub.EventInput{ID: fmt.Sprintf("w2-%d-%d", i, j), FanID: f, ClubID: clubs[p], Action: fanclub.ActionWatchMinutes, Amount: 45},
				fanclub.EventInput{ID: fmt.Sprintf("g-%d-%d", i, j), FanID: f, ClubID: clubs[p], Action: fanclub.ActionGift, Amount: 3})
		}
	}
	evs = append(evs, evs[0], fanclub.EventInput{ID: "nobody", FanID: fans[0], ClubID: clubs["fair"] + 1000, Action: fanclub.ActionLike})
	for seq := int64(1); seq <= 2; seq++ {
		res, err := e.Ingest(ctx, fanclub.Batch{Producer: "p", Seq: seq, Events: evs})
		rec(fmt.Sprintf("ingest seq %d", seq), res, err)
		res, err = e.Ingest(ctx, fanclub.Batch{Producer: "p", Seq: seq, Events: evs})
		rec(fmt.Sprintf("ingest seq %d again", seq), res, err)
	}
	res, err := e.Ingest(ctx, fanclub.Batch{Events: evs[:4]})
	rec("ingest without producer", res, err)

	// Interactions, keyed (a retry under the key counts once) and not.
	for _, key := range []string{"k1", "k1", "k2", ""} {
		v, er, err := e.InteractKeyed(ctx, fans[1], clubs["fair"], fanclub.ActionComment, 1, key)
		rec("interact "+key, []any{v, er}, err)
	}
	v, er, err := e.InteractKeyed(ctx, fans[1], clubs["fair"]+1000, fanclub.ActionLike, 1, "k3")
	rec("interact unknown club", []any{v, er}, err)

	// Idempotent responses: the first is kept, a reused key is refused.
	for _, fp := range []string{"a", "a", "b"} {
		r, err := e.SaveIdempotentResponse(ctx, &fanclub.IdempotentResponse{Scope: "fan:1", Key: "key", Fingerprint: fp,
			Route: "POST /x", Status: 201, Body: []byte(fp)})
		rec("save idempotent "+fp, r, err)
	}
	r, err := e.IdempotentResponse(ctx, "fan:1", "key", "a")
	rec("idempotent response", r, err)

	// Login and tokens.
	tok, f, err := e.LoginFan(ctx, "fan_2", "password-2", "10.0.0.1")
	rec("login", []any{tok, f}, err)
	_, _, err = e.LoginFan(ctx, "fan_2", "wrong-password", "10.0.0.1")
	rec("login wrong", nil, err)
	it, err := e.IssueTokenTTL(ctx, fanclub.RoleCreator, cr.ID, time.Hour)
	rec("issue token", it, err)
	p, err := e.Authenticate(ctx, it.Token)
	rec("authenticate", p.Role, err)
	rec("revoke", nil, e.RevokeToken(ctx, it.TokenID))
	_, err = e.Authenticate(ctx, it.Token)
	rec("authenticate revoked", nil, err)

	// Exits: a captcha exit converting points to general points, a slider
	// and password exit, a wrong answer, and a confirm after the request
	// was superseded.
	clk.Advance(time.Minute)
	req, err := e.RequestExit(ctx, fans[0], clubs["kuaishou"], nil)
	must("request exit", err)
	rec("request exit kuaishou", req, err)
	_, err = e.ConfirmExit(ctx, fans[0], req.ID, fanclub.ExitAnswers{Captcha: "x"})
	rec("confirm wrong captcha", nil, err)
	out, err := e.ConfirmExit(ctx, fans[0], req.ID, fanclub.ExitAnswers{Captcha: req.CaptchaCode})
	rec("confirm kuaishou", out, err)
	_, err = e.ConfirmExit(ctx, fans[0], req.ID, fanclub.ExitAnswers{Captcha: req.CaptchaCode})
	rec("confirm again", nil, err)

	old, err := e.RequestExit(ctx, fans[1], clubs["douyin"], nil)
	must("request exit", err)
	req, err = e.RequestExit(ctx, fans[1], clubs["douyin"], nil)
	must("request exit", err)
	rec("request exit douyin", req, err)
	_, err = e.ConfirmExit(ctx, fans[1], old.ID, fanclub.ExitAnswers{Slider: &old.SliderTarget, Password: "password-1"})
	rec("confirm superseded", nil, err)
	out, err = e.ConfirmExit(ctx, fans[1], req.ID, fanclub.ExitAnswers{Slider: &req.SliderTarget, Password: "password-1"})
	rec("confirm douyin", out, err)

	clk.Advance(time.Minute)
	v, err = e.Join(ctx, fans[0], clubs["kuaishou"])
	rec("rejoin", v, err)
	res, err = e.Ingest(ctx, fanclub.Batch{Producer: "p", Seq: 3, Events: []fanclub.EventInput{
		{ID: "after-1", FanID: fans[0], ClubID: clubs["kuaishou"], Action: fanclub.ActionShare},
		{ID: "after-2", FanID: fans[1], ClubID: clubs["douyin"], Action: fanclub.ActionShare},
	}})
	rec("ingest after exits", res, err)

	// Reads of everything the workload wrote.
	for _, f := range fans {
		fv, err := e.FanView(ctx, f)
		rec("fan view", fv, err)
		ms, err := e.ListMemberships(ctx, f, 0)
		rec("memberships", ms, err)
		page, more, err := e.FanMembershipsPage(ctx, f, 0, 2)
		rec("membership page", []any{page, more}, err)
	}
	for _, p := range []string{"kuaishou", "douyin", "fair"} {
		cv, err := e.ClubView(ctx, fanclub.Principal{Role: fanclub.RoleAdmin}, clubs[p])
		rec("club view "+p, cv, err)
		page, more, err := e.ClubMembersPage(ctx, clubs[p], 0, 3)
		rec("club page "+p, []any{page, more}, err)
	}
	lines = append(lines, storeContents(t, raw, fans, clubs))

	store.mu.Lock()
	defer store.mu.Unlock()
	return lines, obs.counts, store.injected
}

// storeContents reads, from the store itself, the behaviour log and the
// daily counters of every fan and club of the workload.
func storeContents(t *testing.T, s fanclub.Store, fans []int64, clubs map[string]int64) string {
	t.Helper()
	ctx := context.Background()
	tx, err := s.BeginTx(ctx, false)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer func() { _ = tx.Rollback() }()
	names := make([]string, 0, len(clubs))
	for p := range clubs {
		names = append(names, p)
	}
	slices.Sort(names)
	var b strings.Builder
	day := tx.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	for i, f := range fans {
		for _, p := range names {
			evs, err := tx.ListEvents(ctx, f, clubs[p])
			if err != nil {
				t.Fatalf("list events: %v", err)
			}
			ids := make([]string, 0, len(evs))
			for _, ev := range evs {
				if !strings.HasPrefix(ev.ID, "ik_") && !strings.HasPrefix(ev.ID, "ia_") {
					ids = append(ids, ev.ID)
				} else {
					ids = append(ids, string(ev.Action))
				}
			}
			var keys []fanclub.CounterKey
			for _, a := range fanclub.Actions {
				keys = append(keys, fanclub.CounterKey{FanID: f, ClubID: clubs[p], Day: day, Action: a})
			}
			counters, err := tx.DailyPoints(ctx, keys)
			if err != nil {
				t.Fatalf("daily points: %v", err)
			}
			fmt.Fprintf(&b, "fan%d/%s events=%v", i, p, ids)
			for _, k := range keys {
				fmt.Fprintf(&b, " %s=%d", k.Action, counters[k])
			}
			b.WriteString("; ")
		}
	}
	return "store " + b.String()
}

// scrub renders v as JSON without the ids, token plaintexts and times a
// rolled-back run may change (sequence values, random bytes).
func scrub(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	out, _ := json.Marshal(drop(generic))
	return string(out)
}

// drop removes identifying keys from a decoded JSON value.
func drop(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch k {
			case "id", "token", "token_id", "subject_id", "fan_id", "club_id", "creator_id", "ID", "Body":
				delete(x, k)
			default:
				x[k] = drop(val)
			}
		}
	case []any:
		for i := range x {
			x[i] = drop(x[i])
		}
	}
	return v
}

// TestInteractionNotCountedWhenRetriesRunOut checks that an interaction
// whose transaction never commits is neither counted by the observer nor
// returned: the result of a run that rolled back is not an outcome.
func TestInteractionNotCountedWhenRetriesRunOut(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testInteractionNotCountedWhenRetriesRunOut)
}

func testInteractionNotCountedWhenRetriesRunOut(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	e, s := conflictingEngine(t, open, 0)
	obs := &tallyObserver{}
	e = fanclub.NewEngine(fanclub.EngineConfig{Store: s, Policies: presetSource{}, Passwords: plainHasher{}, Random: rand.Reader, Observer: obs})
	cr, err := e.CreateCreator(ctx, "studio")
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.CreateClub(ctx, cr.ID, "club", "fair")
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.CreateFan(ctx, "fan_1", "password-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Join(ctx, f.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	s.conflicts.Store(1000)
	v, res, err := e.InteractKeyed(ctx, f.ID, c.ID, fanclub.ActionLike, 1, "key")
	if !fanclub.IsRetryable(err) || v != nil || res != nil {
		t.Fatalf("InteractKeyed = %v, %v, %v; want no view, no result and the conflict", v, res, err)
	}
	if len(obs.counts) != 0 {
		t.Fatalf("observer counted %v for an interaction that was never stored", obs.counts)
	}
	s.conflicts.Store(0)
	_, res, err = e.InteractKeyed(ctx, f.ID, c.ID, fanclub.ActionLike, 1, "key")
	if err != nil || res.Status != fanclub.EventAccepted {
		t.Fatalf("InteractKeyed after the conflicts: %v, %v; want accepted", res, err)
	}
	if got := obs.counts["events:"+fanclub.EventAccepted]; got != 1 {
		t.Fatalf("accepted counted %d times, want 1", got)
	}
}

// TestReplayedBatchCountedAsDuplicates checks that a retried producer
// batch, answered with its stored result, counts its events as
// duplicates, not as accepted a second time.
func TestReplayedBatchCountedAsDuplicates(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testReplayedBatchCountedAsDuplicates)
}

func testReplayedBatchCountedAsDuplicates(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	_, s := conflictingEngine(t, open, 0)
	obs := &tallyObserver{}
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: s, Policies: presetSource{}, Passwords: plainHasher{}, Random: rand.Reader, Observer: obs})
	cr, err := e.CreateCreator(ctx, "studio")
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.CreateClub(ctx, cr.ID, "club", "fair")
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.CreateFan(ctx, "fan_1", "password-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Join(ctx, f.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	b := fanclub.Batch{Producer: "p", Seq: 1, Events: []fanclub.EventInput{
		{ID: "e1", FanID: f.ID, ClubID: c.ID, Action: fanclub.ActionLike},
		{ID: "e2", FanID: f.ID, ClubID: c.ID, Action: fanclub.ActionShare},
		{ID: "e3", FanID: f.ID, ClubID: c.ID + 1, Action: fanclub.ActionShare},
	}}
	for range 3 {
		if _, err := e.Ingest(ctx, b); err != nil {
			t.Fatalf("Ingest: %v", err)
		}
	}
	want := map[string]int{"events:accepted": 2, "events:rejected": 1, "events:duplicate": 6}
	if fmt.Sprint(obs.counts) != fmt.Sprint(want) {
		t.Fatalf("observer counted %v, want %v", obs.counts, want)
	}
}
