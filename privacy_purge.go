package fanclub

import (
	"context"
	"fmt"
)

// purges reports whether the engine deletes a category by a data.purge
// job when an exit's plan says so: the behaviour log and device ids.
func (e *Engine) purges(c DataCategory) bool { return c == DataDeviceIDs || c == DataBehaviourLog }

// purgeLog runs a data.purge job of the behaviour log: the fan's events
// in the club up to the exit go (EventPurgeTx), and their count is the
// receipt's.
func (e *Engine) purgeLog(ctx context.Context, tx Tx, p purgePayload) (int64, error) {
	if p.Category != DataBehaviourLog {
		return 0, PermanentJobError(fmt.Errorf("no purge for category %q", p.Category))
	}
	return tx.PurgeEvents(ctx, p.FanID, p.ClubID, p.ExitAt)
}
