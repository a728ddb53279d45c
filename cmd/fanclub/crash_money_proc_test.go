package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// crashMoneyConfig is what a re-executed test binary does: "serve" runs
// 'fanclub serve' on DSN; "renew" runs Months months of due jobs on a
// manual clock from Base while it sends Gifts; "revenue" runs the
// script of Revenue (TestCrashRevenue) as its run number Round.
type crashMoneyConfig struct {
	Role    string        `json:"role"`
	DSN     string        `json:"dsn"`
	Base    time.Time     `json:"base"`
	Months  int           `json:"months"`
	Gifts   []*moneyReq   `json:"gifts,omitempty"`
	Round   int           `json:"round,omitempty"`
	Revenue *revenueWorld `json:"revenue,omitempty"`
}

// moneyChild is a running re-executed test binary and what it printed.
type moneyChild struct {
	cmd    *exec.Cmd
	base   string
	mu     sync.Mutex
	lines  []string
	done   chan struct{}
	stderr *syncBuffer
	// commits counts the "w" lines of a renewal process.
	commits atomic.Int64
	// stepCommits is commits when each "s N …" line was read, by N
	// (guarded by mu).
	stepCommits map[int]int64
}

// startMoneyChild starts the test binary as cfg says on w's database;
// a serve child is returned once it listens.
func startMoneyChild(t *testing.T, w *moneyWorld, cfg crashMoneyConfig) *moneyChild {
	t.Helper()
	cfg.DSN = w.dsn
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "child.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &moneyChild{done: make(chan struct{}), stderr: &syncBuffer{}, stepCommits: map[int]int64{}}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestCrashMoneyChild$", "-test.count=1")
	c.cmd.Env = append(os.Environ(), crashMoneyEnv+"="+path)
	c.cmd.Stderr = c.stderr
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan string, 1)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if line == "w" {
				c.commits.Add(1)
				continue
			}
			if m := re.FindStringSubmatch(line); m != nil {
				listening <- m[1]
			}
			c.mu.Lock()
			c.lines = append(c.lines, line)
			if f := strings.Fields(line); len(f) == 3 && f[0] == "s" {
				if n, err := strconv.Atoi(f[1]); err == nil {
					c.stepCommits[n] = c.commits.Load()
				}
			}
			c.mu.Unlock()
		}
		_ = c.cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.done
		if t.Failed() {
			t.Logf("child %s stderr:\n%s", cfg.Role, c.stderr)
		}
	})
	if cfg.Role != "serve" {
		return c
	}
	select {
	case c.base = <-listening:
	case <-c.done:
		t.Fatalf("serve exited before listening:\n%s", c.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen:\n%s", c.stderr)
	}
	return c
}

// exited reports whether the child has ended.
func (c *moneyChild) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits for the child to end.
func (c *moneyChild) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil && !c.exited() {
		t.Fatalf("kill: %v", err)
	}
	<-c.done
}

// waitCommits waits until a renewal process has committed n write
// transactions; it fails if the process ends first.
func (c *moneyChild) waitCommits(t *testing.T, n int64) {
	t.Helper()
	for c.commits.Load() < n {
		if c.exited() && c.commits.Load() < n { // the count is final once the child has ended
			t.Fatalf("the renewal process ended after %d commits, before the kill at %d:\n%s", c.commits.Load(), n, c.stderr)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// commitsAtStep returns how many commits the child had made when it
// started step n (or the first step after n it reported).
func (c *moneyChild) commitsAtStep(n int) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	best, found := 0, false
	for k := range c.stepCommits {
		if k >= n && (!found || k < best) {
			best, found = k, true
		}
	}
	return c.stepCommits[best]
}

// wait waits for a renewal process to finish its work.
func (c *moneyChild) wait(t *testing.T) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the renewal process did not finish")
	}
	if !c.printed("done") {
		t.Fatalf("the renewal process failed:\n%s", c.stderr)
	}
}

// printed reports whether the child printed line.
func (c *moneyChild) printed(line string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if l == line {
			return true
		}
	}
	return false
}

// giftIDs are the gifts a renewal process acknowledged ("gift KEY ID"),
// by request key.
func (c *moneyChild) giftIDs() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int64{}
	for _, l := range c.lines {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "gift" {
			if id, err := strconv.ParseInt(f[2], 10, 64); err == nil {
				out[f[1]] = id
			}
		}
	}
	return out
}
