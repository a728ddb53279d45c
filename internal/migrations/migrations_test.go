package migrations

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	good := fstest.MapFS{
		"m/0002_b.sql": {Data: []byte("B")},
		"m/0001_a.sql": {Data: []byte("A")},
	}
	fs, err := Load(good, "m")
	if err != nil || len(fs) != 2 || fs[0].Version != 1 || fs[0].SQL != "A" || fs[1].Name != "0002_b.sql" {
		t.Fatalf("Load = %+v, %v", fs, err)
	}
	for name, bad := range map[string]fstest.MapFS{
		"no number":      {"m/init.sql": {}},
		"not sql":        {"m/0001_a.txt": {}},
		"zero version":   {"m/0000_a.sql": {}},
		"shared version": {"m/0001_a.sql": {}, "m/1_b.sql": {}},
		"no directory":   {},
	} {
		if fs, err := Load(bad, "m"); err == nil {
			t.Errorf("%s: Load = %+v, want an error", name, fs)
		}
	}
}
