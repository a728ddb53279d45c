package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"

	"fanclub"
	"fanclub/policyfile"
)

// openAdminEngine opens the database at path (which must exist) and an
// engine over it for an operator's command: the built-in policies and
// those of policyDir (the clubs' policies, which an exit or a refund
// reads) and the payment provider pay. closeStore closes the store.
func openAdminEngine(ctx context.Context, path, policyDir, pay string, log *slog.Logger) (eng *fanclub.Engine, closeStore func(), err error) {
	db, err := openStore(ctx, path, storeOptions{Logger: log, MustExist: true})
	if err != nil {
		return nil, nil, err
	}
	closeStore = func() {
		if err := db.Close(); err != nil {
			log.Error("close store", "db", displayDSN(path), "err", err)
		}
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		err = fmt.Errorf("load policies: %w", err)
	} else {
		err = loadPolicyDir(reg, policyDir, log)
	}
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	provider, _, err := openPayments(pay, db)
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	eng = fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Random: rand.Reader, Logger: log, Payments: provider})
	return eng, closeStore, nil
}
