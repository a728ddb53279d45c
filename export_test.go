package fanclub

// PresetPolicyForTest exposes the Go-built preset policies to the store-backed
// tests of package fanclub_test.
var PresetPolicyForTest = presetPolicy
