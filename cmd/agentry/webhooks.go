package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/webhookhttp"
)

// webhookConfig is serve's webhook flags.
type webhookConfig struct {
	timeout      time.Duration
	retryFor     time.Duration
	allowPrivate bool
	concurrency  int
}

func (a *app) webhookFlags(fs *flag.FlagSet) *webhookConfig {
	c := &webhookConfig{}
	fs.DurationVar(&c.timeout, "webhook-timeout", agentry.DefaultWebhookTimeout,
		"how long one webhook delivery attempt may take; a claim lasts 2× this + 1s (AGENTRY_WEBHOOK_TIMEOUT)")
	fs.DurationVar(&c.retryFor, "webhook-retry-for", agentry.DefaultWebhookRetryFor,
		"how long failed webhook deliveries are retried, with exponential backoff, before they fail for good (AGENTRY_WEBHOOK_RETRY_FOR)")
	fs.BoolVar(&c.allowPrivate, "webhook-allow-private", false,
		"let webhooks send to loopback, private and link-local addresses, e.g. a receiver on this machine (AGENTRY_WEBHOOK_ALLOW_PRIVATE)")
	fs.IntVar(&c.concurrency, "webhook-concurrency", agentry.DefaultWebhookConcurrency,
		"webhook deliveries this process sends at once; 0: this process sends none, others must (AGENTRY_WEBHOOK_CONCURRENCY)")
	a.fromEnv(fs, "webhook-timeout", "AGENTRY_WEBHOOK_TIMEOUT")
	a.fromEnv(fs, "webhook-retry-for", "AGENTRY_WEBHOOK_RETRY_FOR")
	a.fromEnv(fs, "webhook-allow-private", "AGENTRY_WEBHOOK_ALLOW_PRIVATE")
	a.fromEnv(fs, "webhook-concurrency", "AGENTRY_WEBHOOK_CONCURRENCY")
	return c
}

func (c *webhookConfig) check() error {
	switch {
	case c.timeout <= 0:
		return usageError{fmt.Sprintf("serve: --webhook-timeout must be positive, got %s", c.timeout)}
	case c.retryFor <= 0:
		return usageError{fmt.Sprintf("serve: --webhook-retry-for must be positive, got %s", c.retryFor)}
	case c.concurrency < 0:
		return usageError{fmt.Sprintf("serve: --webhook-concurrency must not be negative, got %d", c.concurrency)}
	}
	return nil
}

// service is the webhook management of the API.
func (c *webhookConfig) service(st agentry.Store) *agentry.WebhookService {
	return &agentry.WebhookService{Store: st, AllowPrivate: c.allowPrivate}
}

// start runs the delivery worker until the returned stop is called; stop
// waits for the attempts in flight to be recorded.
func (c *webhookConfig) start(st agentry.Store, logger *slog.Logger) (stop func()) {
	if c.concurrency == 0 {
		logger.Info("this process sends no webhook deliveries (--webhook-concurrency 0)")
		return func() {}
	}
	d := &agentry.Deliverer{Store: st, Logger: logger, Timeout: c.timeout, RetryFor: c.retryFor, Concurrency: c.concurrency,
		Sender: webhookhttp.New(webhookhttp.Options{Timeout: c.timeout, AllowPrivate: c.allowPrivate})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}
