package fanclub

import (
	"context"
	"fmt"
)

// ReadinessChecker is an optional extension of Store: Ready returns an
// error unless the store can serve requests (its schema fully migrated).
type ReadinessChecker interface {
	Ready(ctx context.Context) error
}

// Ready reports whether the engine can serve: its store answers a read
// transaction and, when it can tell, has every migration applied.
func (e *Engine) Ready(ctx context.Context) error {
	if err := e.inTx(ctx, false, func(tx Tx) error { return nil }); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if rc, ok := e.store.(ReadinessChecker); ok {
		if err := rc.Ready(ctx); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	return nil
}
