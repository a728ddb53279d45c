package policyfile

import (
	"path/filepath"
	"slices"
	"testing"

	"fanclub"
)

func TestRegistryNamesInOrder(t *testing.T) {
	t.Parallel()
	r := mustRegistry(t)
	want := []string{"wechat-channels", "douyin", "kuaishou", "fair"}
	if got := r.Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
}

func TestRegistryPolicyUnknownListsNames(t *testing.T) {
	t.Parallel()
	r := mustRegistry(t)
	_, err := r.Policy("nope")
	if code := fanclub.ErrorCode(err); code != fanclub.ENOTFOUND {
		t.Fatalf("code = %q, want %q (err %v)", code, fanclub.ENOTFOUND, err)
	}
	if msg := fanclub.ErrorMessage(err); msg != `unknown policy "nope"; known policies: wechat-channels, douyin, kuaishou, fair` {
		t.Fatalf("message = %q", msg)
	}
}

func TestRegistryAddThenOrderAndConflict(t *testing.T) {
	t.Parallel()
	r := mustRegistry(t)
	p, err := r.Policy(DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	custom := *p
	custom.Metadata.Name = "abc-custom"
	if err := r.Add(&custom); err != nil {
		t.Fatal(err)
	}
	if got := r.Names(); got[len(got)-1] != "abc-custom" || got[3] != "fair" {
		t.Fatalf("Names() = %v", got)
	}
	if err := r.Add(&custom); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Fatalf("second Add: %v, want conflict", err)
	}
}

func TestRegistryResolve(t *testing.T) {
	t.Parallel()
	r := mustRegistry(t)
	tests := []struct {
		arg      string
		wantName string
		wantCode string
	}{
		{"douyin", "douyin", ""},
		{filepath.Join("presets", "kuaishou.yaml"), "kuaishou", ""},
		{"missing.yaml", "", fanclub.ENOTFOUND},
		{"missing", "", fanclub.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			t.Parallel()
			p, err := r.Resolve(tt.arg)
			if code := fanclub.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("Resolve(%q) error %v, want code %q", tt.arg, err, tt.wantCode)
			}
			if err == nil && p.Metadata.Name != tt.wantName {
				t.Fatalf("Resolve(%q) = %q, want %q", tt.arg, p.Metadata.Name, tt.wantName)
			}
		})
	}
}

// mustRegistry builds the preset registry or fails the test.
func mustRegistry(t *testing.T) *Registry {
	t.Helper()
	r, err := NewRegistry()
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	return r
}
