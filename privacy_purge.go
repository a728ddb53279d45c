package fanclub

import (
	"context"
	"fmt"
)

// purges reports whether the engine deletes a category by a purge_data
// job when an exit's plan says so.
func (e *Engine) purges(c DataCategory) bool { return c == DataDeviceIDs }

// purgeLog deletes the data of a purge_data job of a category other than
// device identifiers.
func (e *Engine) purgeLog(_ context.Context, _ Tx, p purgePayload) (int64, error) {
	return 0, PermanentJobError(fmt.Errorf("no purge for category %q", p.Category))
}
