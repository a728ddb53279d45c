package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"

	"fanclub"
	"fanclub/webhook"
)

// webhookSettings are serve's webhook flags: where notifications are
// POSTed and the secret that signs them.
type webhookSettings struct {
	url, secret string
}

// register adds --webhook-url and --webhook-secret, with the environment
// variables FANCLUB_WEBHOOK_URL and FANCLUB_WEBHOOK_SECRET as defaults.
func (w *webhookSettings) register(fs *flag.FlagSet) {
	fs.StringVar(&w.url, "webhook-url", os.Getenv("FANCLUB_WEBHOOK_URL"),
		"`URL` notifications are POSTed to, signed; empty for none (env FANCLUB_WEBHOOK_URL)")
	fs.StringVar(&w.secret, "webhook-secret", os.Getenv("FANCLUB_WEBHOOK_SECRET"),
		"`secret` that signs webhook requests (HMAC-SHA256); prefer the env FANCLUB_WEBHOOK_SECRET")
}

// enabled reports whether notifications go to a webhook.
func (w *webhookSettings) enabled() bool { return w.url != "" }

// check refuses a webhook URL without a secret, or one the deliverer
// would not take.
func (w *webhookSettings) check() error {
	if !w.enabled() {
		return nil
	}
	if w.secret == "" {
		return errors.New("--webhook-url needs --webhook-secret or FANCLUB_WEBHOOK_SECRET")
	}
	_, err := webhook.New(nil, webhook.Config{URL: w.url, Secret: []byte(w.secret)})
	return err
}

// start runs a deliverer for eng's webhook deliveries in the background
// until ctx ends; the returned function waits for it to stop. Without a
// webhook URL it does nothing.
func (w *webhookSettings) start(ctx context.Context, eng *fanclub.Engine, log *slog.Logger) (wait func(), err error) {
	if !w.enabled() {
		return func() {}, nil
	}
	d, err := webhook.New(eng, webhook.Config{URL: w.url, Secret: []byte(w.secret), Logger: log})
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(ctx)
	}()
	log.Info("delivering notifications to a webhook", "url", w.url)
	return func() { <-done }, nil
}
