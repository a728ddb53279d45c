package http

import (
	"bytes"
	"encoding/json"
	"fanclub/internal/teststores"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readAPIDoc returns docs/api.md.
func readAPIDoc(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatalf("read docs/api.md: %v", err)
	}
	return string(data)
}

// section returns the text of a markdown section, up to the next "## ".
func section(t *testing.T, doc, heading string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("docs/api.md has no %q", heading)
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// TestDocsRouteTableMatchesRoutes checks that the route table in
// docs/api.md lists exactly the routes, with their permissions.
func TestDocsRouteTableMatchesRoutes(t *testing.T) {
	t.Parallel()
	rows := regexp.MustCompile("(?m)^\\| (GET|POST|PUT|DELETE|PATCH) \\| `([^`]+)` \\| ((?:[^|\\\\]|\\\\\\|)+?) \\|").
		FindAllStringSubmatch(section(t, readAPIDoc(t), "## Routes"), -1)
	documented := map[string]string{}
	for _, r := range rows {
		documented[r[1]+" "+r[2]] = strings.ReplaceAll(r[3], `\|`, "|")
	}
	routes := (&Server{}).routes()
	if len(rows) != len(routes) {
		t.Errorf("docs list %d routes, the table has %d", len(rows), len(routes))
	}
	for _, rt := range routes {
		k := rt.method + " " + rt.pattern
		if got, ok := documented[k]; !ok {
			t.Errorf("docs/api.md does not list %s", k)
		} else if got != string(rt.perm) {
			t.Errorf("docs/api.md: %s permission %q, route table %q", k, got, rt.perm)
		}
	}
}

// Patterns of the lines of the documented curl session.
var (
	captureLine = regexp.MustCompile(`^(\w+)=\$\((curl .*) \| jq -r \.(\w+)\)\s+# → (\d{3})$`)
	curlLine    = regexp.MustCompile(`^(curl .*?)\s+# → (\d{3})$`)
	assignLine  = regexp.MustCompile(`^(\w+)=(\S+)$`)
)

// shellWords splits a command line the way sh would for the subset the
// docs use: single quotes, double quotes with \" and $VAR, bare $VAR.
func shellWords(line string, vars map[string]string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(i int) int {
		j := i + 1
		for j < len(line) && (line[j] == '_' || line[j] >= 'A' && line[j] <= 'Z' || line[j] >= 'a' && line[j] <= 'z' || line[j] >= '0' && line[j] <= '9') {
			j++
		}
		cur.WriteString(vars[line[i+1:j]])
		return j
	}
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unclosed ' in %s", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			inWord, i = true, i+j+2
		case c == '"':
			inWord = true
			i++
			for i < len(line) && line[i] != '"' {
				switch {
				case line[i] == '\\' && i+1 < len(line):
					cur.WriteByte(line[i+1])
					i += 2
				case line[i] == '$':
					i = expand(i)
				default:
					cur.WriteByte(line[i])
					i++
				}
			}
			if i >= len(line) {
				return nil, fmt.Errorf("unclosed \" in %s", line)
			}
			i++
		case c == '$':
			inWord = true
			i = expand(i)
		default:
			inWord = true
			cur.WriteByte(c)
			i++
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// runCurl runs a curl command line of the docs against the test API.
func (a *testAPI) runCurl(line string, vars map[string]string) response {
	a.t.Helper()
	words, err := shellWords(line, vars)
	if err != nil {
		a.t.Fatal(err)
	}
	method, url, token, ctype, key := "GET", "", "", "", ""
	var body *string
	for i := 1; i < len(words); i++ {
		switch words[i] {
		case "-s":
		case "-X":
			i++
			method = words[i]
		case "-H":
			i++
			if ct, ok := strings.CutPrefix(words[i], "Content-Type: "); ok {
				ctype = ct
				continue
			}
			if k, ok := strings.CutPrefix(words[i], IdempotencyKeyHeader+": "); ok {
				key = k
				continue
			}
			h, ok := strings.CutPrefix(words[i], "Authorization: Bearer ")
			if !ok {
				a.t.Fatalf("unexpected header %q", words[i])
			}
			token = h
		case "-d":
			i++
			body = &words[i]
			if method == "GET" {
				method = "POST"
			}
		default:
			url = words[i]
		}
	}
	path, ok := strings.CutPrefix(url, a.URL)
	if !ok {
		a.t.Fatalf("curl URL %q is not under $API", url)
	}
	if body != nil && ctype == "" {
		ctype = "application/x-www-form-urlencoded" // what curl -d sends
	}
	headers := map[string]string{"Content-Type": ctype}
	if key != "" {
		headers[IdempotencyKeyHeader] = key
	}
	return a.doRaw(method, path, token, body, headers)
}

// TestDocsCurlSession runs the curl session of docs/api.md, line by line,
// against a real engine and SQLite, and checks each documented status.
func TestDocsCurlSession(t *testing.T) {
	t.Parallel()
	eachStore(t, testDocsCurlSession)
}

func testDocsCurlSession(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("demo_creator")
	clubIDs := map[string]string{}
	for _, p := range []string{"wechat-channels", "douyin", "kuaishou", "fair"} {
		clubIDs[p] = strconv.FormatInt(a.newClub(creator, p, p).ID, 10)
	}
	vars := map[string]string{}
	overrides := map[string]func() string{
		"API":    func() string { return a.URL },
		"ADMIN":  func() string { return a.Admin },
		"SLIDER": func() string { return strconv.Itoa(a.sliderTarget(vars["REQ"])) },
	}
	bodies, steps := a.runDocsScript(t, "## A session with curl", vars, overrides)
	if steps < 15 {
		t.Fatalf("only %d curl steps ran", steps)
	}
	if vars["FAIR"] != clubIDs["fair"] || vars["DOUYIN"] != clubIDs["douyin"] {
		t.Fatalf("docs say FAIR=%s DOUYIN=%s; a demo database has fair=%s douyin=%s", vars["FAIR"], vars["DOUYIN"], clubIDs["fair"], clubIDs["douyin"])
	}
	checkFairExitExecutedItsPreview(t, bodies)
}

// checkFairExitExecutedItsPreview finds the fair exit request and its
// confirmation among the session's answers and checks that the outcome is
// the preview, and that the rejoin restored the kept points.
func checkFairExitExecutedItsPreview(t *testing.T, bodies []string) {
	t.Helper()
	var preview, outcome, rejoin map[string]json.RawMessage
	for i, b := range bodies {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(b), &m) != nil {
			continue
		}
		switch {
		case preview == nil && m["challenges"] != nil:
			preview = m
		case preview != nil && outcome == nil && m["request"] != nil:
			outcome = m
			if i+2 < len(bodies) {
				_ = json.Unmarshal([]byte(bodies[i+2]), &rejoin)
			}
		}
	}
	if preview == nil || outcome == nil || rejoin == nil {
		t.Fatalf("session answers lack a preview, outcome or rejoin")
	}
	if !bytes.Equal(preview["impact"], outcome["impact"]) {
		t.Errorf("outcome impact %s\n!= preview %s", outcome["impact"], preview["impact"])
	}
	var impact struct {
		Retained int64 `json:"points_retained"`
	}
	var m struct {
		Points int64 `json:"level_points"`
	}
	_ = json.Unmarshal(preview["impact"], &impact)
	_ = json.Unmarshal(rejoin["level_points"], &m.Points)
	if impact.Retained == 0 || m.Points != impact.Retained {
		t.Errorf("kept %d points, rejoin restored %d", impact.Retained, m.Points)
	}
}

// runDocsScript runs the sh block under heading in docs/api.md line by
// line against the test API: variable assignments (overrides replace the
// documented value), curl lines with their documented status (# → NNN)
// and captures (X=$(curl … | jq -r .field)). It returns the bodies and
// the number of curl steps.
func (a *testAPI) runDocsScript(t *testing.T, heading string, vars map[string]string, overrides map[string]func() string) ([]string, int) {
	t.Helper()
	text := section(t, readAPIDoc(t), heading)
	_, script, _ := strings.Cut(text, "```sh\n")
	script, _, _ = strings.Cut(script, "```")
	var bodies []string
	steps := 0
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var res response
		var want int
		switch {
		case captureLine.MatchString(line):
			m := captureLine.FindStringSubmatch(line)
			want, _ = strconv.Atoi(m[4])
			res = a.runCurl(m[2], vars)
			var obj map[string]any
			res.JSON(t, &obj)
			v, ok := obj[m[3]].(string)
			if !ok {
				t.Fatalf("%s: no string .%s in %s", line, m[3], res.Body)
			}
			vars[m[1]] = v
		case curlLine.MatchString(line):
			m := curlLine.FindStringSubmatch(line)
			want, _ = strconv.Atoi(m[2])
			res = a.runCurl(m[1], vars)
		case assignLine.MatchString(line):
			m := assignLine.FindStringSubmatch(line)
			if f, ok := overrides[m[1]]; ok {
				vars[m[1]] = f()
			} else {
				vars[m[1]] = m[2]
			}
			continue
		default:
			t.Fatalf("docs/api.md session line not understood: %s", line)
		}
		steps++
		if res.Status != want {
			t.Fatalf("%s\n= %d, docs say %d: %s", line, res.Status, want, res.Body)
		}
		bodies = append(bodies, string(res.Body))
	}
	return bodies, steps
}

func TestDocsMoneyCurlSession(t *testing.T) {
	t.Parallel()
	eachStore(t, testDocsMoneyCurlSession)
}

// testDocsMoneyCurlSession runs the money session of docs/api.md on a
// demo-like database (the four preset clubs in the demo's order).
func testDocsMoneyCurlSession(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("demo_creator")
	clubIDs := map[string]string{}
	for _, p := range []string{"wechat-channels", "douyin", "kuaishou", "fair"} {
		clubIDs[p] = strconv.FormatInt(a.newClub(creator, p, p).ID, 10)
	}
	vars := map[string]string{}
	overrides := map[string]func() string{
		"API":   func() string { return a.URL },
		"ADMIN": func() string { return a.Admin },
	}
	_, steps := a.runDocsScript(t, "## Money with curl", vars, overrides)
	if steps < 10 {
		t.Fatalf("only %d curl steps ran", steps)
	}
	if vars["FAIR"] != clubIDs["fair"] || vars["KUAISHOU"] != clubIDs["kuaishou"] {
		t.Fatalf("docs say FAIR=%s KUAISHOU=%s; a demo database has fair=%s kuaishou=%s", vars["FAIR"], vars["KUAISHOU"], clubIDs["fair"], clubIDs["kuaishou"])
	}
}
