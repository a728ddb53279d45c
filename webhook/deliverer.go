package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"fanclub"
)

// Outbox is what a Deliverer needs of the engine: claims on due
// deliveries and their outcomes, each in its own transaction.
// *fanclub.Engine implements it.
type Outbox interface {
	ClaimWebhooks(ctx context.Context, owner string, lease time.Duration, limit int) ([]*fanclub.WebhookDelivery, error)
	WebhookDelivered(ctx context.Context, id, owner string) error
	RetryWebhook(ctx context.Context, id, owner string, wait time.Duration, lastErr string) error
}

var _ Outbox = (*fanclub.Engine)(nil)

// Config configures a Deliverer; zero fields take the defaults.
type Config struct {
	// URL receives the POSTs; Secret signs them.
	URL    string
	Secret []byte
	// Client sends the requests (default: a new http.Client).
	Client *http.Client
	// Timeout bounds one request (default 10s).
	Timeout time.Duration
	// Lease is how long a claimed delivery is held (default 1m); it must
	// exceed Timeout.
	Lease time.Duration
	// Batch is how many deliveries one claim takes (default 16).
	Batch int
	// Poll is the pause between claims when none was due (default 1s).
	Poll time.Duration
	// BackoffBase and BackoffCap bound the wait before a retry: the n-th
	// failed attempt waits a random time between half and all of
	// min(BackoffBase·2^(n-1), BackoffCap) (defaults 5s and 1h).
	BackoffBase, BackoffCap time.Duration
	// Owner names this deliverer in leases (default: random).
	Owner string
	// Now is the clock signatures are stamped with (default time.Now).
	Now func() time.Time
	// Logger logs failed attempts (default: none).
	Logger *slog.Logger
}

// Deliverer sends due webhook deliveries: it claims a batch, POSTs each
// notification with no transaction open, then records the outcome (2xx:
// delivered; otherwise a retry after a jittered exponential backoff, until
// fanclub.WebhookMaxAttempts attempts).
type Deliverer struct {
	outbox Outbox
	cfg    Config
}

// New returns a Deliverer for an outbox.
func New(o Outbox, c Config) (*Deliverer, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook: URL %q: want an http or https URL", c.URL)
	}
	if len(c.Secret) == 0 {
		return nil, errors.New("webhook: a secret is required")
	}
	if c.Client == nil {
		c.Client = &http.Client{}
	}
	c.Timeout = orDefault(c.Timeout, 10*time.Second)
	c.Lease = orDefault(c.Lease, time.Minute)
	if c.Lease <= c.Timeout {
		return nil, fmt.Errorf("webhook: lease %s must exceed the timeout %s", c.Lease, c.Timeout)
	}
	if c.Batch <= 0 {
		c.Batch = 16
	}
	c.Poll = orDefault(c.Poll, time.Second)
	c.BackoffBase = orDefault(c.BackoffBase, 5*time.Second)
	c.BackoffCap = orDefault(c.BackoffCap, time.Hour)
	if c.Owner == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		c.Owner = "webhook-" + hex.EncodeToString(b)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{outbox: o, cfg: c}, nil
}

// orDefault is d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Backoff is the wait before retrying after the n-th failed attempt: a
// random duration between half and all of min(base·2^(n-1), cap).
func Backoff(n int, base, cap time.Duration) time.Duration {
	d := cap
	if n >= 1 && n < 40 && base<<(n-1) > 0 && base<<(n-1) < cap {
		d = base << (n - 1)
	}
	half := d / 2
	return half + time.Duration(mrand.Int64N(int64(d-half)+1))
}

// Run delivers until ctx ends, pausing Poll when nothing was due or a
// claim failed.
func (d *Deliverer) Run(ctx context.Context) error {
	for {
		n, err := d.RunOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			d.cfg.Logger.Error("webhook deliveries", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d.cfg.Poll):
		}
	}
}

// RunOnce claims one batch of due deliveries and attempts each; it
// returns how many it claimed.
func (d *Deliverer) RunOnce(ctx context.Context) (int, error) {
	ds, err := d.outbox.ClaimWebhooks(ctx, d.cfg.Owner, d.cfg.Lease, d.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("claim: %w", err)
	}
	var errs []error
	for _, dl := range ds {
		if err := d.attempt(ctx, dl); err != nil {
			errs = append(errs, err)
		}
	}
	return len(ds), errors.Join(errs...)
}

// attempt POSTs one delivery and records the outcome.
func (d *Deliverer) attempt(ctx context.Context, dl *fanclub.WebhookDelivery) error {
	id := dl.Notification.ID
	sendErr := d.send(ctx, dl.Notification)
	if sendErr == nil {
		if err := d.outbox.WebhookDelivered(ctx, id, d.cfg.Owner); err != nil {
			return fmt.Errorf("mark %s delivered: %w", id, err)
		}
		return nil
	}
	wait := Backoff(dl.Attempts, d.cfg.BackoffBase, d.cfg.BackoffCap)
	d.cfg.Logger.Warn("webhook delivery failed", "id", id, "attempt", dl.Attempts, "gave_up", dl.Attempts >= fanclub.WebhookMaxAttempts,
		"retry_in", wait, "err", sendErr)
	if err := d.outbox.RetryWebhook(ctx, id, d.cfg.Owner, wait, sendErr.Error()); err != nil {
		return fmt.Errorf("retry %s: %w", id, err)
	}
	return nil
}

// send POSTs a notification, signed; a non-2xx status is an error.
func (d *Deliverer) send(ctx context.Context, n *fanclub.Notification) error {
	body, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderID, n.ID)
	req.Header.Set(HeaderSignature, Sign(d.cfg.Secret, d.cfg.Now(), body))
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}
