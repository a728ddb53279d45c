package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompareCommand checks flags in any position, defaults, and the
// errors the command reports.
func TestCompareCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stdoutHas  []string
		stdoutLack []string
		stderrHas  string
	}{
		{"defaults: four policies, zh, md", nil, 0,
			[]string{"## 一、基础退出路径与操作流程", "| 微信视频号 |", "| 抖音 |", "| 快手 |", "| 公平退出 |", "约30秒"}, nil, ""},
		{"flags after names", []string{"douyin", "--lang", "en", "--format", "md"}, 0,
			[]string{"| Douyin |", "Slider check + Password"}, []string{"WeChat Channels", "Fair exit"}, ""},
		{"flags before and between names", []string{"-lang=en", "kuaishou", "-format", "html", "fair"}, 0,
			[]string{"<!DOCTYPE html>", "Kuaishou", "Fair exit"}, []string{"Douyin"}, ""},
		{"json", []string{"fair", "--format", "json"}, 0, []string{`"lang": "zh"`, `"name": "fair"`}, nil, ""},
		{"unknown policy", []string{"douyin", "nope"}, 2, nil, nil, `unknown policy "nope"`},
		{"unknown language", []string{"--lang", "fr"}, 2, nil, nil, `unknown language "fr"; allowed: zh, en`},
		{"unknown format", []string{"--format", "pdf"}, 2, nil, nil, `unknown format "pdf"; allowed: md, html, json`},
		{"unknown flag", []string{"--bogus"}, 2, nil, nil, "flag provided but not defined: -bogus"},
		{"missing file", []string{"./no-such-policy.yaml"}, 2, nil, nil, "fanclub compare:"},
		{"help", []string{"-h"}, 0, []string{"usage: fanclub compare"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runFanclub(t, append([]string{"compare"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			for _, s := range tc.stdoutHas {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tc.stdoutLack {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout has %q", s)
				}
			}
			if !strings.Contains(stderr, tc.stderrHas) {
				t.Errorf("stderr lacks %q: %s", tc.stderrHas, stderr)
			}
			if tc.code != 0 && stdout != "" {
				t.Errorf("failed command wrote to stdout: %s", stdout)
			}
		})
	}
}

// TestCompareFile checks that a policy file is compared under its own name.
func TestCompareFile(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "..", "policyfile", "presets", "douyin.yaml"))
	if err != nil {
		t.Fatalf("read preset: %v", err)
	}
	text := strings.Replace(string(src), "name: douyin", "name: douyin-14d", 1)
	text = strings.Replace(text, "retention: 7d ", "retention: 14d ", 1)
	path := filepath.Join(t.TempDir(), "douyin-14d.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatalf("write policy: %v", err)
	}
	code, stdout, stderr := runFanclub(t, "compare", "douyin", path, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	var out struct {
		Dimensions []struct {
			Rows []struct {
				Policy string   `json:"policy"`
				Cells  []string `json:"cells"`
			} `json:"rows"`
		} `json:"dimensions"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("decode json: %v", err)
	}
	rows := out.Dimensions[1].Rows
	if len(rows) != 2 || rows[1].Policy != "douyin-14d" || rows[0].Cells[1] != "保留7天" || rows[1].Cells[1] != "保留14天" {
		t.Errorf("level cells = %+v, want douyin 保留7天 and douyin-14d 保留14天", rows)
	}
}
