package policyfile

import (
	"embed"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"fanclub"

	// Time zones named by policies must load on machines without a zoneinfo database.
	_ "time/tzdata"
)

// DefaultPolicy names the policy used when none is chosen.
const DefaultPolicy = fanclub.DefaultPolicy

// seedOrder is the order of the presets taken from the source article; the
// registry lists them first, then the default, then every other policy.
var seedOrder = []string{"wechat-channels", "douyin", "kuaishou"}

//go:embed presets/*.yaml
var presetFS embed.FS

// Registry holds named policies: the embedded presets and any policy added
// later. It is safe for concurrent use. Policies it returns are shared and
// must not be modified.
type Registry struct {
	mu       sync.RWMutex
	policies map[string]*fanclub.Policy
	builtin  map[string]bool
}

// NewRegistry returns a registry holding every embedded preset, each parsed
// and validated by Parse.
func NewRegistry() (*Registry, error) {
	r := &Registry{policies: map[string]*fanclub.Policy{}, builtin: map[string]bool{}}
	entries, err := fs.ReadDir(presetFS, "presets")
	if err != nil {
		return nil, fanclub.Errorf(fanclub.EINTERNAL, "read embedded presets: %v", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := presetFS.ReadFile(path.Join("presets", e.Name()))
		if err != nil {
			return nil, fanclub.Errorf(fanclub.EINTERNAL, "read embedded preset %s: %v", e.Name(), err)
		}
		p, err := Parse(path.Join("presets", e.Name()), data)
		if err != nil {
			return nil, err
		}
		if err := r.Add(p); err != nil {
			return nil, err
		}
		r.builtin[p.Metadata.Name] = true
	}
	return r, nil
}

// Names returns the names of every policy: the article's presets in the order
// wechat-channels, douyin, kuaishou, then fair, then the others sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.policies))
	for n := range r.policies {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		ra, rb := rank(a), rank(b)
		if ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return names
}

// Builtin reports whether name is one of the embedded presets.
func (r *Registry) Builtin(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.builtin[name]
}

// rank orders a policy name: seed presets first, the default next, others last.
func rank(name string) int {
	if i := slices.Index(seedOrder, name); i >= 0 {
		return i
	}
	if name == DefaultPolicy {
		return len(seedOrder)
	}
	return len(seedOrder) + 1
}

// Policy returns the named policy. An unknown name gives a not_found error
// listing the known names. It implements fanclub.PolicySource.
func (r *Registry) Policy(name string) (*fanclub.Policy, error) {
	r.mu.RLock()
	p, ok := r.policies[name]
	r.mu.RUnlock()
	if !ok {
		return nil, &fanclub.Error{
			Code:    fanclub.ENOTFOUND,
			Message: "unknown policy " + quote(name) + "; known policies: " + strings.Join(r.Names(), ", "),
		}
	}
	return p, nil
}

// Resolve returns the policy a command-line argument names: a path (one
// holding a path separator or ending in .yaml, .yml or .json) is read from
// disk with ParseFile; anything else is a policy name in the registry.
func (r *Registry) Resolve(nameOrFile string) (*fanclub.Policy, error) {
	if IsPath(nameOrFile) {
		return ParseFile(nameOrFile)
	}
	return r.Policy(nameOrFile)
}

// IsPath reports whether a command-line argument names a policy file rather
// than a registered policy.
func IsPath(s string) bool {
	if strings.ContainsAny(s, `/\`) {
		return true
	}
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		if strings.HasSuffix(strings.ToLower(s), ext) {
			return true
		}
	}
	return false
}

// Add registers a policy under its metadata name after validating it. A
// name already registered gives a conflict error.
func (r *Registry) Add(p *fanclub.Policy) error {
	if p == nil {
		return fanclub.Errorf(fanclub.EINVALID, "no policy to add")
	}
	if fields := p.Validate(); len(fields) > 0 {
		return fanclub.InvalidFields("policy "+quote(p.Metadata.Name)+" is invalid", fields)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.policies[p.Metadata.Name]; ok {
		return fanclub.Errorf(fanclub.ECONFLICT, "policy %q is already registered", p.Metadata.Name)
	}
	r.policies[p.Metadata.Name] = p
	return nil
}

// quote wraps a name in double quotes for messages.
func quote(s string) string { return `"` + s + `"` }
