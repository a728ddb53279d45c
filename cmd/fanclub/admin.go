package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"fanclub"
)

// authSettings are the token, password and throttling settings of serve
// (and the token lifetime of 'admin token'), each a flag with a FANCLUB_
// environment variable as its default.
type authSettings struct {
	sessionTTL, tokenTTL, maxTokenTTL time.Duration
	passwordConcurrency               int
	trustForwardedFor                 bool
	// envErr is the first bad environment value met.
	envErr error
}

// register adds the settings' flags to fs, with their environment defaults.
func (a *authSettings) register(fs *flag.FlagSet) {
	a.sessionTTL = a.envDuration("FANCLUB_SESSION_TTL", fanclub.DefaultFanSessionTTL)
	a.tokenTTL = a.envDuration("FANCLUB_TOKEN_TTL", fanclub.DefaultTokenTTL)
	a.maxTokenTTL = a.envDuration("FANCLUB_TOKEN_MAX_TTL", fanclub.DefaultMaxTokenTTL)
	a.passwordConcurrency = fanclub.DefaultPasswordConcurrency()
	if v := os.Getenv("FANCLUB_PASSWORD_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			a.fail(fmt.Errorf("FANCLUB_PASSWORD_CONCURRENCY=%q: want a positive integer", v))
		} else {
			a.passwordConcurrency = n
		}
	}
	a.trustForwardedFor = os.Getenv("FANCLUB_TRUST_FORWARDED_FOR") == "true" || os.Getenv("FANCLUB_TRUST_FORWARDED_FOR") == "1"
	fs.DurationVar(&a.sessionTTL, "session-ttl", a.sessionTTL, "lifetime of a fan login token (env FANCLUB_SESSION_TTL)")
	fs.DurationVar(&a.tokenTTL, "token-ttl", a.tokenTTL, "lifetime of an admin or creator token issued without a ttl, and of the bootstrap admin token (env FANCLUB_TOKEN_TTL)")
	fs.DurationVar(&a.maxTokenTTL, "token-max-ttl", a.maxTokenTTL, "longest ttl POST /v1/tokens accepts (env FANCLUB_TOKEN_MAX_TTL)")
	fs.IntVar(&a.passwordConcurrency, "password-concurrency", a.passwordConcurrency, "password hashes and checks run at once; argon2id takes 64 MiB each (env FANCLUB_PASSWORD_CONCURRENCY)")
	fs.BoolVar(&a.trustForwardedFor, "trust-forwarded-for", a.trustForwardedFor, "count logins under the last X-Forwarded-For address; only behind a proxy that sets it (env FANCLUB_TRUST_FORWARDED_FOR=true)")
}

// envDuration reads a duration from the environment, or def.
func (a *authSettings) envDuration(key string, def time.Duration) time.Duration {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		a.fail(fmt.Errorf("%s=%q: want a positive duration such as 720h", key, v))
		return def
	}
	return d
}

// fail records the first bad setting.
func (a *authSettings) fail(err error) {
	if a.envErr == nil {
		a.envErr = err
	}
}

// check reports a bad environment value or flag combination.
func (a *authSettings) check() error {
	if a.envErr != nil {
		return a.envErr
	}
	switch {
	case a.sessionTTL <= 0 || a.tokenTTL <= 0 || a.maxTokenTTL <= 0:
		return errors.New("--session-ttl, --token-ttl and --token-max-ttl must be positive")
	case a.tokenTTL > a.maxTokenTTL:
		return fmt.Errorf("--token-ttl %s is longer than --token-max-ttl %s", a.tokenTTL, a.maxTokenTTL)
	case a.passwordConcurrency < 1:
		return errors.New("--password-concurrency must be at least 1")
	}
	return nil
}

// engineConfig returns the engine's auth configuration.
func (a *authSettings) engineConfig() fanclub.AuthConfig {
	return fanclub.AuthConfig{FanSessionTTL: a.sessionTTL, TokenTTL: a.tokenTTL, MaxTokenTTL: a.maxTokenTTL,
		PasswordConcurrency: a.passwordConcurrency, Now: time.Now}
}

// bootstrapAdmin issues an admin token when the database has no live one
// (a first start, or every admin token expired or revoked) and returns
// it; it returns "" when one is live, so a restart adds no credential.
func bootstrapAdmin(ctx context.Context, eng *fanclub.Engine) (string, error) {
	live, err := eng.HasLiveToken(ctx, fanclub.RoleAdmin)
	if err != nil {
		return "", fmt.Errorf("look for an admin token: %w", err)
	}
	if live {
		return "", nil
	}
	tok, err := eng.IssueToken(ctx, fanclub.RoleAdmin, 0)
	if err != nil {
		return "", fmt.Errorf("issue admin token: %w", err)
	}
	return tok, nil
}

// adminUsage describes 'fanclub admin'.
const adminUsage = `usage: fanclub admin token [--db PATH|URL] [--ttl DUR]
       fanclub admin refunds [--db PATH|URL] [--policies DIR] [--status S] [--approve ID|--reject ID --operator NAME [--note TEXT]]
       fanclub admin erase --fan ID [--confirm] [--db PATH|URL] [--policies DIR] [--payments sandbox]

token    issues a fresh admin token and prints it, alone on one line of
         standard output (logs go to standard error)
refunds  prints the guardian refund requests awaiting an operator (one JSON
         line each), or approves or rejects one (docs/minors.md)
erase    previews or runs the erasure of a fan's account (docs/privacy.md)
`

// runAdmin runs 'fanclub admin'.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, adminUsage)
		return 0
	case "token":
		return runAdminToken(ctx, args[1:], stdout, stderr)
	case "refunds":
		return runAdminRefunds(ctx, args[1:], stdout, stderr)
	case "erase":
		return runAdminErase(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "fanclub admin: unknown command %q\n\n%s", args[0], adminUsage)
	return 2
}

// runAdminToken runs 'fanclub admin token'.
func runAdminToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fanclub admin token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), adminUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	var a authSettings
	a.register(flag.NewFlagSet("", flag.ContinueOnError))
	db := fs.String("db", envOr("FANCLUB_DB", "fanclub.db"), "SQLite database `path`, or postgres:// URL (env FANCLUB_DB)")
	ttl := fs.Duration("ttl", a.tokenTTL, "lifetime of the token (env FANCLUB_TOKEN_TTL; at most FANCLUB_TOKEN_MAX_TTL)")
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "fanclub admin token: unexpected argument %q\n", pos[0])
		fs.Usage()
		return 2
	}
	if err := checkDSN(*db); err != nil {
		fmt.Fprintln(stderr, "fanclub admin token:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if *ttl <= 0 || *ttl > a.maxTokenTTL {
		log.Error("admin token", "err", fmt.Sprintf("--ttl %s: want a positive duration up to %s (FANCLUB_TOKEN_MAX_TTL)", *ttl, a.maxTokenTTL))
		return 2
	}
	// The token's lifetime is --ttl: the settings are checked with it, not
	// with the default lifetime of tokens serve issues.
	a.tokenTTL = *ttl
	if err := a.check(); err != nil {
		log.Error("admin token", "err", err)
		return 2
	}
	tok, err := issueAdminToken(ctx, *db, *ttl, a.engineConfig(), log)
	if err != nil {
		log.Error("admin token", "db", displayDSN(*db), "err", err)
		return 1
	}
	fmt.Fprintln(stdout, tok.Token)
	log.Info("admin token issued", "db", displayDSN(*db), "token_id", tok.TokenID, "expires_at", tok.ExpiresAt.UTC().Format(time.RFC3339))
	return 0
}

// issueAdminToken opens the database (which must exist) and issues an
// admin token valid for ttl.
func issueAdminToken(ctx context.Context, path string, ttl time.Duration, auth fanclub.AuthConfig, log *slog.Logger) (*fanclub.IssuedToken, error) {
	db, err := openStore(ctx, path, storeOptions{Logger: log, MustExist: true})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("close store", "db", displayDSN(path), "err", err)
		}
	}()
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Random: rand.Reader, Logger: log, Auth: auth})
	return eng.IssueTokenTTL(ctx, fanclub.RoleAdmin, 0, ttl)
}
