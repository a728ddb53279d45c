package fanclub

// PresetPolicyForTest exposes the Go-built preset policies to the store-backed
// tests of package fanclub_test.
var PresetPolicyForTest = presetPolicy

// PendingGifts counts the gifts waiting for a batch (the group commit of
// SendGift), for tests that fill one batch on purpose.
func PendingGifts(e *Engine) int {
	e.gifts.mu.Lock()
	defer e.gifts.mu.Unlock()
	return len(e.gifts.pending)
}
