package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fanclub"
	"fanclub/sqlite"
	"fanclub/sqlite/benchload"
)

// crashEnv names the database a re-executed test binary ingests into.
const crashEnv = "FANCLUB_CRASH_DB"

// crashWorkload is the crash test's workload: small enough to check
// event by event, with batches small enough to be killed between many.
func crashWorkload() *benchload.Workload {
	c := benchload.DefaultConfig()
	c.Fans, c.Clubs, c.Events, c.BatchSize, c.Seed = 300, 12, 40_000, 100, 7
	return benchload.Generate(c)
}

// TestCrashChild is the child half of TestIngestSurvivesKill: it ingests
// every batch of the crash workload and prints "ack SEQ" once Ingest has
// returned (the batch is committed). It only runs when re-executed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestIngestSurvivesKill")
	}
	ctx := context.Background()
	w := crashWorkload()
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: w.End})
	if err != nil {
		t.Fatal(err)
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: benchload.NewPolicies()})
	for _, b := range w.Batches {
		if _, err := eng.Ingest(ctx, b); err != nil {
			t.Fatalf("ingest %d: %v", b.Seq, err)
		}
		fmt.Fprintf(os.Stdout, "ack %d\n", b.Seq)
	}
}

// TestIngestSurvivesKill kills an ingesting process with SIGKILL, twice
// (the second process resumes on what the first left), and checks the
// reopened database: every acknowledged batch is stored with
// its events exactly once, the daily counters and level points equal the
// points of the stored batch results, and re-sending every batch counts
// each event once.
func TestIngestSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	t.Parallel()
	ctx := context.Background()
	w := crashWorkload()
	path := filepath.Join(t.TempDir(), "crash.db")
	seedCrashDB(t, path, w)

	// Two crashes: the second child re-sends every batch from the start
	// into the database the first one left, and is killed further on.
	for _, killAt := range []int{len(w.Batches) / 4, len(w.Batches) / 2} {
		acked := runAndKill(t, path, killAt)
		if len(acked) == 0 {
			t.Fatal("child acknowledged no batch before the kill")
		}
		db, err := sqlite.Open(ctx, path, sqlite.Options{Now: w.End})
		if err != nil {
			t.Fatalf("reopen after kill: %v", err)
		}
		stored := storedBatches(t, db, w)
		for _, seq := range acked {
			if stored[seq] == nil {
				t.Fatalf("acknowledged batch %d lost by the kill", seq)
			}
		}
		t.Logf("killed after %d acknowledged batches; %d batches stored", len(acked), len(stored))
		checkLedger(t, db, w, stored)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}

	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: w.End})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	stored := storedBatches(t, db, w)
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: benchload.NewPolicies()})
	for _, b := range w.Batches {
		res, err := eng.Ingest(ctx, b)
		if err != nil {
			t.Fatalf("re-send batch %d: %v", b.Seq, err)
		}
		if prev := stored[b.Seq]; prev != nil && (res.Accepted != prev.Accepted || res.Duplicates != prev.Duplicates) {
			t.Fatalf("re-sent batch %d returned %+v, stored result was %+v", b.Seq, res, prev)
		}
	}
	all := storedBatches(t, db, w)
	if len(all) != len(w.Batches) {
		t.Fatalf("after re-sending, %d of %d batches stored", len(all), len(w.Batches))
	}
	checkLedger(t, db, w, all)
}

// seedCrashDB creates the crash test's database with its fans and clubs.
func seedCrashDB(t *testing.T, path string, w *benchload.Workload) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Now: w.End})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Seed(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// runAndKill runs the child on path, kills it with SIGKILL once it has
// acknowledged killAt batches, and returns the acknowledged seqs.
func runAndKill(t *testing.T, path string, killAt int) []int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []int64
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		seq, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(seq, 10, 64)
		if err != nil {
			t.Fatalf("child printed %q", sc.Text())
		}
		acked = append(acked, n)
		if len(acked) == killAt && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatalf("kill child: %v", err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child finished (%v) before the kill; acknowledged %d batches", err, len(acked))
	}
	return acked
}

// storedBatches returns the stored results of the workload's batches.
func storedBatches(t *testing.T, db *sqlite.DB, w *benchload.Workload) map[int64]*fanclub.BatchResult {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	out := map[int64]*fanclub.BatchResult{}
	for _, b := range w.Batches {
		r, err := tx.FindBatch(ctx, b.Producer, b.Seq)
		if fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		out[b.Seq] = r
	}
	return out
}

// checkLedger checks that the store holds exactly the events of the stored
// batches, each once, and that counters and level points equal the points
// those batches report.
func checkLedger(t *testing.T, db *sqlite.DB, w *benchload.Workload, stored map[int64]*fanclub.BatchResult) {
	t.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := map[string]bool{}
	wantCounters := map[fanclub.CounterKey]int64{}
	wantLevel := map[fanclub.MemberKey]int64{}
	for _, b := range w.Batches {
		r := stored[b.Seq]
		if r == nil {
			continue
		}
		for i, ev := range b.Events {
			res := r.Results[i]
			if res.ID != ev.ID || res.Status != fanclub.EventAccepted {
				t.Fatalf("batch %d event %d: stored result %+v", b.Seq, i, res)
			}
			wantEvents[ev.ID] = true
			k := fanclub.CounterKey{FanID: ev.FanID, ClubID: ev.ClubID, Day: ev.At.In(loc).Format(time.DateOnly), Action: ev.Action}
			wantCounters[k] += res.Points
			wantLevel[fanclub.MemberKey{FanID: ev.FanID, ClubID: ev.ClubID}] += res.Points
		}
	}
	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	seen := map[string]int{}
	for i := range w.Fans {
		fan := int64(i + 1)
		evs, err := tx.ListEvents(ctx, fan, w.ClubOf[i])
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			seen[e.ID]++
		}
		m, err := tx.FindMembership(ctx, fan, w.ClubOf[i])
		if err != nil {
			t.Fatal(err)
		}
		if want := wantLevel[fanclub.MemberKey{FanID: fan, ClubID: w.ClubOf[i]}]; m.LevelPoints != want {
			t.Fatalf("fan %d level points %d, want %d (sum of stored results)", fan, m.LevelPoints, want)
		}
	}
	for id, n := range seen {
		if n != 1 || !wantEvents[id] {
			t.Fatalf("event %s stored %d times (in a stored batch: %v)", id, n, wantEvents[id])
		}
	}
	if len(seen) != len(wantEvents) {
		t.Fatalf("%d events stored, the stored batches hold %d", len(seen), len(wantEvents))
	}
	keys := make([]fanclub.CounterKey, 0, len(wantCounters))
	for k := range wantCounters {
		keys = append(keys, k)
	}
	got, err := tx.DailyPoints(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if got[k] != wantCounters[k] {
			t.Fatalf("counter %+v = %d, want %d (points of stored events)", k, got[k], wantCounters[k])
		}
	}
}
