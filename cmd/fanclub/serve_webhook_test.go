package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/webhook"
)

func TestParseServeWebhook(t *testing.T) {
	t.Setenv("FANCLUB_WEBHOOK_URL", "")
	t.Setenv("FANCLUB_WEBHOOK_SECRET", "")
	tests := []struct {
		name    string
		env     string
		args    []string
		enabled bool
		wantErr bool
	}{
		{"none", "", nil, false, false},
		{"flags", "", []string{"--webhook-url", "https://example.com/hook", "--webhook-secret", "s"}, true, false},
		{"secret from the environment", "s", []string{"--webhook-url", "https://example.com/hook"}, true, false},
		{"no secret", "", []string{"--webhook-url", "https://example.com/hook"}, false, true},
		{"not http", "", []string{"--webhook-url", "ftp://example.com", "--webhook-secret", "s"}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FANCLUB_WEBHOOK_SECRET", tc.env)
			c, err := parseServe(tc.args, io.Discard, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseServe(%q) error = %v, want error %v", tc.args, err, tc.wantErr)
			}
			if err == nil && c.webhook.enabled() != tc.enabled {
				t.Errorf("enabled = %v, want %v", c.webhook.enabled(), tc.enabled)
			}
		})
	}
}

// TestWebhookStartDelivers starts the background deliverer as serve does
// and sees a stored notification arrive, signed.
func TestWebhookStartDelivers(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify([]byte("s"), r.Header.Get(webhook.HeaderSignature), body, time.Now(), webhook.DefaultTolerance); err != nil {
			t.Errorf("signature: %v", err)
		}
		got <- r.Header.Get(webhook.HeaderID)
	}))
	defer srv.Close()
	db := teststores.SQLite.Open(t, time.Now)
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Webhooks: true})
	p := &fanclub.Policy{}
	p.Metadata.TimeZone = "UTC"
	n, err := fanclub.NewNotification(p, fanclub.NotifyExitReceipt, "exit_receipt/e/1", fanclub.FanRecipient(1), 1, time.Now(), fanclub.NotificationFacts{Club: "Luna"})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Notify(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := webhookSettings{url: srv.URL, secret: "s"}
	wait, err := w.start(ctx, eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-got:
		if id != n.ID {
			t.Errorf("delivered %q, want %q", id, n.ID)
		}
	case <-time.After(10 * time.Second):
		t.Error("nothing delivered")
	}
	cancel()
	wait()
}
