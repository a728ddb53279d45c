package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/policyfile"
	"fanclub/postgres/pgtest"
)

// node is a 'fanclub serve' process.
type node struct {
	base   string
	stdout *syncBuffer
	stderr *syncBuffer
}

// startNodes starts n 'fanclub serve' processes of bin on the database
// url at once, each on a free loopback port with the token cache off, and
// waits until each listens; they are stopped when t ends.
func startNodes(t *testing.T, bin, url string, n int) []*node {
	t.Helper()
	nodes := make([]*node, n)
	for i := range nodes {
		nd := &node{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
		cmd := exec.Command(bin, "serve", "--db", url, "--addr", "127.0.0.1:0", "--access-log", "errors", "--token-cache", "0")
		cmd.Stdout, cmd.Stderr = nd.stdout, nd.stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-done
			if t.Failed() {
				t.Logf("node %d stderr:\n%s", i, nd.stderr)
			}
		})
		nodes[i] = nd
	}
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	for i, nd := range nodes {
		for deadline := time.Now().Add(30 * time.Second); ; {
			if m := listening.FindStringSubmatch(nd.stdout.String()); m != nil {
				nd.base = m[1]
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d did not listen: %s\n%s", i, nd.stdout, nd.stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nodes
}

// call sends a JSON request with a bearer token and decodes a 2xx answer
// into out; it returns the status.
func call(t *testing.T, method, url, token string, body, out any, idemKey ...string) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Error(err)
			return 0
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if len(idemKey) > 0 {
		req.Header.Set("Idempotency-Key", idemKey[0])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, url, err)
		return 0
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Errorf("%s %s: %v: %s", method, url, err, raw)
		}
	}
	return res.StatusCode
}

// nodesWorld is the test's data: clubs, fans and their tokens.
type nodesWorld struct {
	fair, captcha int64
	fans          []int64
	tokens        map[int64]string
	admin         string
}

// shanghai is the presets' time zone, where their days start.
func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestServeManyNodesOnOnePostgres starts three 'fanclub serve' processes
// on one PostgreSQL schema and drives them at once: fans join (the same
// join sent to two nodes together), interact, and are sent ingest batches
// that go to one node and again, with the same producer and seq, to
// another (half the time at once); fans ask to leave on one node and
// confirm on another (fair: confirm; kuaishou: the captcha), some
// confirming on two nodes together; a few hot fans are pushed past their
// daily caps from every node. Then, from the store: every batch answered
// the same on both nodes; every event id was accepted once; each staying
// fan's level points are the sum of the points its accepted events earned
// and its daily counters that sum per action, within the cap; each exit is
// whole (request confirmed, membership left with its points reset) or
// absent; the member counts match the active memberships.
func TestServeManyNodesOnOnePostgres(t *testing.T) {
	t.Parallel()
	url := pgtest.SchemaURL(t)
	loc := shanghai(t)
	// Every event of the test falls on one day of the presets' time zone.
	if now := time.Now().In(loc); now.Hour() == 23 && now.Minute() >= 58 {
		time.Sleep(time.Until(time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 5, 0, loc)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	dir := t.TempDir()
	bin := filepath.Join(dir, "fanclub")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The three start together: each applies the migrations under the
	// advisory lock.
	nodes := startNodes(t, bin, url, 3)

	db, err := openStore(ctx, url, storeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams), Random: crand.Reader})
	w := setupNodesWorld(ctx, t, eng, db, 40)

	// Joins: each fan joins both clubs, the same join sent to two nodes
	// at once.
	var wg sync.WaitGroup
	for i, f := range w.fans {
		for j, club := range []int64{w.fair, w.captcha} {
			for k := range 2 {
				nd := nodes[(i+j+k)%3]
				wg.Go(func() {
					if code := call(t, "PUT", fmt.Sprintf("%s/v1/clubs/%d/membership", nd.base, club), w.tokens[f], nil, nil); code != 200 && code != 201 {
						t.Errorf("join fan %d club %d: %d", f, club, code)
					}
				})
			}
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// The leavers are the last quarter of the fans; the hot fans, pushed
	// past their caps, the first four.
	leavers := w.fans[len(w.fans)*3/4:]
	hot := w.fans[:4]
	at := time.Now().UTC()
	d := &nodesDriver{t: t, w: w, nodes: nodes, at: at}
	for i := range 12 {
		d.shared = append(d.shared, fanclub.EventInput{ID: fmt.Sprintf("shared-%d", i), FanID: w.fans[i%len(w.fans)],
			ClubID: w.fair, Action: fanclub.ActionComment, At: &d.at})
	}

	var load sync.WaitGroup
	for p := range 4 {
		load.Go(func() { d.ingest(p, 12, hot) })
	}
	for i, f := range w.fans {
		load.Go(func() { d.interact(i, f) })
	}
	for i, f := range leavers {
		load.Go(func() { d.leave(ctx, db, i, f, w.fair) })
		load.Go(func() { d.leave(ctx, db, i+1, f, w.captcha) })
	}
	load.Wait()
	if t.Failed() {
		t.FailNow()
	}
	d.check(ctx, t, db, leavers, loc)
}

// setupNodesWorld creates a creator with a fair and a kuaishou (captcha)
// club, n fans, their tokens and an admin token.
func setupNodesWorld(ctx context.Context, t *testing.T, eng *fanclub.Engine, db fanclub.Store, n int) *nodesWorld {
	t.Helper()
	cr, err := eng.CreateCreator(ctx, "nodes_creator")
	if err != nil {
		t.Fatal(err)
	}
	w := &nodesWorld{tokens: map[int64]string{}}
	for _, c := range []struct {
		id     *int64
		policy string
	}{{&w.fair, "fair"}, {&w.captcha, "kuaishou"}} {
		club, err := eng.CreateClub(ctx, cr.ID, c.policy, c.policy)
		if err != nil {
			t.Fatal(err)
		}
		*c.id = club.ID
	}
	tx, err := db.BeginTx(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		f := &fanclub.Fan{Handle: fmt.Sprintf("node_fan_%d", i), PasswordHash: "-"}
		if err := tx.CreateFan(ctx, f); err != nil {
			t.Fatal(err)
		}
		w.fans = append(w.fans, f.ID)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, f := range w.fans {
		if w.tokens[f], err = eng.IssueToken(ctx, fanclub.RoleFan, f); err != nil {
			t.Fatal(err)
		}
	}
	if w.admin, err = eng.IssueToken(ctx, fanclub.RoleAdmin, 0); err != nil {
		t.Fatal(err)
	}
	return w
}

// nodesDriver sends the load and records every answer.
type nodesDriver struct {
	t     *testing.T
	w     *nodesWorld
	nodes []*node
	at    time.Time
	// shared are events every producer sends.
	shared []fanclub.EventInput

	// retried counts requests sent again after a 5xx.
	retried atomic.Int64

	mu sync.Mutex
	// batches holds the two answers of each (producer, seq).
	batches map[string][2]*fanclub.BatchResult
	// earned are the points of each accepted event or interaction by
	// member and action; accepted counts the acceptances of each event id.
	earned   map[fanclub.MemberKey]map[fanclub.Action][]int64
	accepted map[string]int
	// exits are the leavers' requests with the confirmations that succeeded.
	exits []nodesExit
}

// nodesExit is one exit request and how many confirmations succeeded.
type nodesExit struct {
	id        string
	key       fanclub.MemberKey
	confirmed int
}

// record notes the accepted results of an answer.
func (d *nodesDriver) record(fan, club int64, r fanclub.EventResult, action fanclub.Action) {
	if d.earned == nil {
		d.earned, d.accepted = map[fanclub.MemberKey]map[fanclub.Action][]int64{}, map[string]int{}
	}
	if r.Status != fanclub.EventAccepted {
		return
	}
	d.accepted[r.ID]++
	k := fanclub.MemberKey{FanID: fan, ClubID: club}
	if d.earned[k] == nil {
		d.earned[k] = map[fanclub.Action][]int64{}
	}
	d.earned[k][action] = append(d.earned[k][action], r.Points)
}

// ingest sends producer p's batches, each to one node and again to
// another (every other batch at once), and records the answers. Half the
// events go to the hot fans; one in ten is one of the shared events that
// every producer sends.
func (d *nodesDriver) ingest(p, batches int, hot []int64) {
	t := d.t
	rng := rand.New(rand.NewPCG(uint64(p), 7))
	actions := []fanclub.Action{fanclub.ActionLike, fanclub.ActionLike, fanclub.ActionComment, fanclub.ActionShare, fanclub.ActionWatchMinutes, fanclub.ActionGift}
	for seq := int64(1); seq <= int64(batches); seq++ {
		b := fanclub.Batch{Producer: fmt.Sprintf("node-producer-%d", p), Seq: seq}
		for i := range 30 {
			f := d.w.fans[rng.IntN(len(d.w.fans))]
			if i%2 == 0 {
				f = hot[rng.IntN(len(hot))]
			}
			club := d.w.fair
			if rng.IntN(2) == 0 {
				club = d.w.captcha
			}
			a := actions[rng.IntN(len(actions))]
			amount := int64(1)
			if a == fanclub.ActionWatchMinutes || a == fanclub.ActionGift {
				amount = int64(1 + rng.IntN(20))
			}
			id := fmt.Sprintf("p%d-%d-%d", p, seq, i)
			if i%10 == 9 {
				// An event every producer may send: stored once.
				b.Events = append(b.Events, d.shared[rng.IntN(len(d.shared))])
				continue
			}
			b.Events = append(b.Events, fanclub.EventInput{ID: id, FanID: f, ClubID: club, Action: a, Amount: amount, At: &d.at})
		}
		first, second := d.nodes[(p+int(seq))%3], d.nodes[(p+int(seq)+1)%3]
		var res [2]*fanclub.BatchResult
		send := func(i int, nd *node) {
			var r fanclub.BatchResult
			code := call(t, "POST", nd.base+"/v1/events:batch", d.w.admin, b, &r)
			// A node whose transaction lost every retry to concurrent ones
			// answers 5xx; the producer sends the batch again elsewhere.
			for n := 1; code/100 == 5 && n < 5; n++ {
				d.retried.Add(1)
				nd = d.nodes[(i+n+int(seq))%3]
				code = call(t, "POST", nd.base+"/v1/events:batch", d.w.admin, b, &r)
			}
			if code != 200 {
				t.Errorf("batch %s/%d on %s: %d", b.Producer, seq, nd.base, code)
				return
			}
			res[i] = &r
		}
		if seq%2 == 0 {
			var wg sync.WaitGroup
			wg.Go(func() { send(0, first) })
			wg.Go(func() { send(1, second) })
			wg.Wait()
		} else {
			send(0, first)
			send(1, second)
		}
		if res[0] == nil || res[1] == nil {
			continue
		}
		d.mu.Lock()
		if d.batches == nil {
			d.batches = map[string][2]*fanclub.BatchResult{}
		}
		d.batches[fmt.Sprintf("%s/%d", b.Producer, seq)] = res
		for i, r := range res[0].Results {
			ev := b.Events[i]
			d.record(ev.FanID, ev.ClubID, r, ev.Action)
		}
		d.mu.Unlock()
	}
}

// interact has fan f (the i-th) interact six times in each club, on every
// node in turn. A leaver's interactions may come after its exit and fail.
func (d *nodesDriver) interact(i int, f int64) {
	leaver := i >= len(d.w.fans)*3/4
	actions := []fanclub.Action{fanclub.ActionLike, fanclub.ActionComment, fanclub.ActionShare, fanclub.ActionWatchMinutes, fanclub.ActionLike, fanclub.ActionShare}
	for k, a := range actions {
		for _, club := range []int64{d.w.fair, d.w.captcha} {
			nd := d.nodes[(i+k)%3]
			var res struct {
				Result *fanclub.EventResult `json:"result"`
			}
			// Under an Idempotency-Key a retry elsewhere counts once.
			key := fmt.Sprintf("interact-%d-%d", k, club)
			code := call(d.t, "POST", fmt.Sprintf("%s/v1/clubs/%d/interactions", nd.base, club), d.w.tokens[f],
				map[string]any{"action": a, "amount": 7}, &res, key)
			for n := 1; code/100 == 5 && n < 5; n++ {
				d.retried.Add(1)
				code = call(d.t, "POST", fmt.Sprintf("%s/v1/clubs/%d/interactions", d.nodes[(i+k+n)%3].base, club), d.w.tokens[f],
					map[string]any{"action": a, "amount": 7}, &res, key)
			}
			if code != 200 || res.Result == nil {
				if !leaver {
					d.t.Errorf("fan %d interacts in club %d: %d", f, club, code)
				}
				continue
			}
			d.mu.Lock()
			d.record(f, club, *res.Result, a)
			d.mu.Unlock()
		}
	}
}

// leave has fan f ask to leave club on one node and confirm on the next
// (with the captcha's code, read from the store, when the policy asks for
// one); every other time it also confirms on the third node at once. A
// request that cannot be confirmed (the membership changed under it) is
// asked again, up to five times.
func (d *nodesDriver) leave(ctx context.Context, db fanclub.Store, i int, f, club int64) {
	t := d.t
	for attempt := range 5 {
		nd := d.nodes[(i+attempt)%3]
		var req struct {
			ID         string   `json:"id"`
			Challenges []string `json:"challenges"`
		}
		if code := call(t, "POST", fmt.Sprintf("%s/v1/clubs/%d/exit-requests", nd.base, club), d.w.tokens[f], map[string]any{}, &req); code != 201 {
			t.Errorf("exit request fan %d club %d on %s: %d", f, club, nd.base, code)
			return
		}
		answer := map[string]any{"confirm": true}
		if slices.Contains(req.Challenges, "captcha") {
			tx, err := db.BeginTx(ctx, false)
			if err != nil {
				t.Error(err)
				return
			}
			r, err := tx.FindExitRequest(ctx, req.ID)
			_ = tx.Rollback()
			if err != nil {
				t.Error(err)
				return
			}
			answer = map[string]any{"captcha": r.CaptchaCode}
		}
		confirmers := []*node{d.nodes[(i+attempt+1)%3]}
		if i%2 == 0 {
			confirmers = append(confirmers, d.nodes[(i+attempt+2)%3])
		}
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes []int
		)
		for _, c := range confirmers {
			wg.Go(func() {
				code := call(t, "POST", c.base+"/v1/exit-requests/"+req.ID+"/confirm", d.w.tokens[f], answer, nil)
				mu.Lock()
				codes = append(codes, code)
				mu.Unlock()
			})
		}
		wg.Wait()
		ex := nodesExit{id: req.ID, key: fanclub.MemberKey{FanID: f, ClubID: club}}
		for _, code := range codes {
			switch code {
			case 200:
				ex.confirmed++
			case 409, 410:
			default:
				t.Errorf("confirm %s (fan %d club %d): %d", req.ID, f, club, code)
			}
		}
		d.mu.Lock()
		d.exits = append(d.exits, ex)
		d.mu.Unlock()
		if ex.confirmed > 0 {
			return
		}
	}
}

// check reads the store and checks the answers against it.
func (d *nodesDriver) check(ctx context.Context, t *testing.T, db fanclub.Store, leavers []int64, loc *time.Location) {
	// Every batch answered the same on both nodes.
	for key, res := range d.batches {
		a, _ := json.Marshal(res[0])
		b, _ := json.Marshal(res[1])
		if !bytes.Equal(a, b) {
			t.Errorf("batch %s answered differently:\n%s\n%s", key, a, b)
		}
	}
	if len(d.batches) != 4*12 {
		t.Errorf("%d batches answered, want 48", len(d.batches))
	}
	// No event counted twice; the shared events counted once.
	for id, n := range d.accepted {
		if n != 1 {
			t.Errorf("event %s accepted %d times", id, n)
		}
	}
	for _, ev := range d.shared {
		if d.accepted[ev.ID] != 1 {
			t.Errorf("shared event %s accepted %d times, want once", ev.ID, d.accepted[ev.ID])
		}
	}

	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	fair, err := reg.Policy("fair")
	if err != nil {
		t.Fatal(err)
	}
	day := d.at.In(loc).Format("2006-01-02")
	capsReached := 0
	for _, f := range d.w.fans {
		if slices.Contains(leavers, f) {
			continue
		}
		for _, club := range []int64{d.w.fair, d.w.captcha} {
			k := fanclub.MemberKey{FanID: f, ClubID: club}
			m, err := tx.FindMembership(ctx, f, club)
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for a, pts := range d.earned[k] {
				var sum int64
				for _, p := range pts {
					sum += p
				}
				total += sum
				rule, _ := fair.Engagement.ActionRule(a)
				if rule.DailyCap > 0 && sum > rule.DailyCap {
					t.Errorf("fan %d club %d %s: %d points, over the daily cap %d", f, club, a, sum, rule.DailyCap)
				}
				if rule.DailyCap > 0 && sum == rule.DailyCap {
					capsReached++
				}
				ck := fanclub.CounterKey{FanID: f, ClubID: club, Day: day, Action: a}
				stored, err := tx.DailyPoints(ctx, []fanclub.CounterKey{ck})
				if err != nil {
					t.Fatal(err)
				}
				if stored[ck] != sum {
					t.Errorf("fan %d club %d %s: daily counter %d, accepted events earned %d", f, club, a, stored[ck], sum)
				}
			}
			if m.Status != fanclub.StatusActive || m.LevelPoints != total {
				t.Errorf("fan %d club %d: %s with %d level points, accepted events earned %d", f, club, m.Status, m.LevelPoints, total)
			}
		}
	}
	if capsReached == 0 {
		t.Error("no daily cap was reached: the test pushes none")
	}

	// Each exit is whole or absent.
	confirmed := map[fanclub.MemberKey]int{}
	for _, ex := range d.exits {
		r, err := tx.FindExitRequest(ctx, ex.id)
		if err != nil {
			t.Fatal(err)
		}
		if (r.Status == fanclub.ExitConfirmed) != (ex.confirmed == 1) || ex.confirmed > 1 {
			t.Errorf("exit request %s is %s after %d successful confirmations", ex.id, r.Status, ex.confirmed)
		}
		if r.Status == fanclub.ExitConfirmed {
			confirmed[ex.key]++
		}
	}
	left := 0
	for _, f := range leavers {
		for _, club := range []int64{d.w.fair, d.w.captcha} {
			k := fanclub.MemberKey{FanID: f, ClubID: club}
			m, err := tx.FindMembership(ctx, f, club)
			if err != nil {
				t.Fatal(err)
			}
			whole := confirmed[k] == 1 && m.Status == fanclub.StatusLeft && m.Exits == 1 && m.LevelPoints == 0
			absent := confirmed[k] == 0 && m.Status == fanclub.StatusActive && m.Exits == 0
			if !whole && !absent {
				t.Errorf("fan %d club %d: half an exit: %d confirmed requests, membership %s, %d exits, %d level points",
					f, club, confirmed[k], m.Status, m.Exits, m.LevelPoints)
			}
			if whole {
				left++
			}
		}
	}
	if left == 0 {
		t.Error("no exit went through")
	}

	// Member counts match the active memberships.
	for _, club := range []int64{d.w.fair, d.w.captcha} {
		ms, err := tx.ListMemberships(ctx, 0, club)
		if err != nil {
			t.Fatal(err)
		}
		active := 0
		for _, m := range ms {
			if m.Status == fanclub.StatusActive {
				active++
			}
		}
		n, err := tx.ActiveMembers(ctx, club)
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(active) {
			t.Errorf("club %d: member count %d, %d active memberships", club, n, active)
		}
	}
	t.Logf("%d batches (each sent to two nodes), %d events accepted, %d daily caps reached, %d of %d memberships left, %d requests sent again after a 5xx",
		len(d.batches), len(d.accepted), capsReached, left, 2*len(leavers), d.retried.Load())
}
