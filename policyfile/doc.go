// Package policyfile reads exit policies from YAML or JSON files, reports
// every problem of a file with its line and column, and holds the registry
// of built-in presets (wechat-channels, douyin, kuaishou and fair) plus any
// policies loaded by the user.
package policyfile
