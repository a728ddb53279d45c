package main

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fanclub/natsingest"
	"fanclub/natsingest/natstest"
	"fanclub/stream/streamtest"
)

func TestParseConsume(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"minimal", []string{"--stream", "s", "--durable", "d"}, ""},
		{"every flag", []string{"--nats", "nats://h:1", "--stream", "s", "--durable", "d", "--subject", "s.x", "--db", "x.db", "--ack-wait", "1m", "--max-ack-pending", "8", "--nak-delay", "1s", "--event-window", "1h"}, ""},
		{"no stream", []string{"--durable", "d"}, "--stream and --durable are required"},
		{"no durable", []string{"--stream", "s"}, "--stream and --durable are required"},
		{"short ack wait", []string{"--stream", "s", "--durable", "d", "--ack-wait", "10ms"}, "--ack-wait 10ms: want at least 1s"},
		{"no ack pending", []string{"--stream", "s", "--durable", "d", "--max-ack-pending", "0"}, "--max-ack-pending 0: want 1 or more"},
		{"argument", []string{"--stream", "s", "--durable", "d", "extra"}, `unexpected argument "extra"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConsume(tc.args, io.Discard, io.Discard)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.nats.Stream != "s" || c.nats.Durable != "d" {
					t.Errorf("config %+v", c)
				}
				return
			}
			if err == nil || err.Error() != tc.err {
				t.Errorf("error %v, want %q", err, tc.err)
			}
		})
	}
}

// consumer is a 'fanclub consume' subprocess.
type consumer struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{} // closed when it exited, with err its status
	err    error
}

// startConsumer starts 'fanclub consume args', killed when t ends.
func startConsumer(t *testing.T, bin string, args ...string) *consumer {
	t.Helper()
	c := &consumer{cmd: exec.Command(bin, append([]string{"consume"}, args...)...), stderr: &syncBuffer{}, done: make(chan struct{})}
	c.cmd.Stderr = c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.done
	})
	return c
}

// wait waits for the process to exit and returns its status.
func (c *consumer) wait() error {
	<-c.done
	return c.err
}

// TestConsumeKilledMidStreamCountsEveryEventOnce kills 'fanclub consume'
// with SIGKILL while it ingests (some batches acked, others delivered,
// committed or not), restarts it, and checks that every event of every
// published batch counted exactly once.
func TestConsumeKilledMidStreamCountsEveryEventOnce(t *testing.T) {
	t.Parallel()
	srv := natstest.Connect(t)
	name, subject := srv.NewStream(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "fanclub.db")
	ctx := context.Background()
	eng, db, err := streamtest.NewEngine(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	fix, err := streamtest.Setup(ctx, eng, 8)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "fanclub")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const batches = 1500
	w := fix.Gifts("k", batches, 4)
	args := []string{"--nats", srv.URL, "--stream", name, "--durable", "fanclub", "--subject", subject, "--db", dbPath, "--ack-wait", "2s"}

	// Publish while the first consumer ingests, and kill it once it has
	// acked some batches: it dies in the middle of its work.
	var published sync.WaitGroup
	var publishErr error
	published.Go(func() { publishErr = srv.PublishAll(ctx, subject, w.Bodies...) })
	first := startConsumer(t, bin, args...)
	var atKill natstest.Progress
	for deadline := time.Now().Add(time.Minute); ; {
		p, err := srv.Progress(ctx, name, "fanclub")
		if err == nil && p.AckFloor >= 100 {
			atKill = p
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the consumer acked nothing: %+v %v\n%s", p, err, first.stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.wait()
	published.Wait()
	if publishErr != nil {
		t.Fatal(publishErr)
	}
	if atKill.AckFloor >= batches {
		t.Fatalf("the consumer finished before the kill: %+v", atKill)
	}
	t.Logf("killed after %d of %d batches acked (%d delivered unacked)", atKill.AckFloor, batches, atKill.AckPending)

	second := startConsumer(t, bin, args...)
	srv.WaitDrained(t, name, "fanclub", batches, 2*time.Minute)
	// SIGTERM stops it gracefully.
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.wait(); err != nil {
		t.Fatalf("consume after SIGTERM: %v\n%s", err, second.stderr)
	}
	if !strings.Contains(second.stderr.String(), "msg=stopped") {
		t.Errorf("no stop line in the log:\n%s", second.stderr)
	}

	eng, db, err = streamtest.NewEngine(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	w.CheckKeyed(ctx, t, eng, natsingest.ProducerPrefix+name, 1)
	fix.Check(ctx, t, eng, w)
	if t.Failed() {
		t.Logf("first consumer:\n%s\nsecond consumer:\n%s", first.stderr, second.stderr)
	}
}

func TestConsumeRefusesAMissingStream(t *testing.T) {
	t.Parallel()
	srv := natstest.Connect(t)
	code, _, stderr := runFanclub(t, "consume", "--nats", srv.URL, "--stream", "fanclub_test_no_such_stream", "--durable", "d",
		"--db", filepath.Join(t.TempDir(), "fanclub.db"))
	if code != 1 || !strings.Contains(stderr, `JetStream stream \"fanclub_test_no_such_stream\" does not exist`) {
		t.Errorf("code %d, stderr %s", code, stderr)
	}
}
