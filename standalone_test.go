package fanclub

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoFiles lists the repository's files: the tracked ones when git is at
// hand, else every file under the module root but .git.
func repoFiles(t *testing.T) []string {
	t.Helper()
	if out, err := exec.Command("git", "ls-files", "-z").Output(); err == nil && len(out) > 0 {
		return strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	}
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// outsideReference matches a reference to a file that is not in the
// repository: the product notes and the source article the project was
// started from. Their content lives in docs/ (presets.md, regulations.md).
var outsideReference = regexp.MustCompile(`\bSPEC\b|\bSPEC\.md|REGULATIONS\.md|\bseed/|\.\./shared\b|/work/shared`)

// TestRepositoryStandsAlone checks that no tracked text file — doc,
// comment, preset, test data or test — refers to a file outside the
// repository.
func TestRepositoryStandsAlone(t *testing.T) {
	t.Parallel()
	self := "standalone_test.go"
	for _, path := range repoFiles(t) {
		if path == self {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(data, 0) >= 0 {
			continue // binary
		}
		for i, line := range strings.Split(string(data), "\n") {
			if m := outsideReference.FindString(line); m != "" {
				t.Errorf("%s:%d refers to %q, which is not in the repository: %s", path, i+1, m, strings.TrimSpace(line))
			}
		}
	}
}

// fuzzTarget matches the declaration of a fuzz target.
var fuzzTarget = regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)

// TestReadmeListsEveryFuzzTarget checks that README.md names every fuzz
// target with its package, in one line of its table, so that the list
// stays whole (.ci/run finds the targets by itself).
func TestReadmeListsEveryFuzzTarget(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(readme), "\n")
	found := 0
	for _, path := range repoFiles(t) {
		if !strings.HasSuffix(path, "_test.go") {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pkg := "`./" + filepath.ToSlash(filepath.Dir(path)) + "/`"
		if filepath.Dir(path) == "." {
			pkg = "`.`"
		}
		for _, m := range fuzzTarget.FindAllSubmatch(data, -1) {
			found++
			name := "`" + string(m[1]) + "`"
			listed := false
			for _, l := range lines {
				if strings.HasPrefix(l, "| "+name+" |") && strings.Contains(l, pkg) {
					listed = true
				}
			}
			if !listed {
				t.Errorf("README.md does not list fuzz target %s of %s", name, pkg)
			}
		}
	}
	if found == 0 {
		t.Fatal("found no fuzz target")
	}
}
