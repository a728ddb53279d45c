package http

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/internal/teststores"
)

// procStatusKB reads a "Name:  123 kB" line of /proc/self/status.
func procStatusKB(t *testing.T, name string) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("parse %s %q: %v", name, v, err)
			}
			return n
		}
	}
	t.Skipf("no %s in /proc/self/status", name)
	return 0
}

// loginStormConcurrency is the number of logins the storm sends at once.
const loginStormConcurrency = 32

// TestLoginStormPeakRSSIsBounded fires 32 concurrent logins (half with
// unknown handles, half with a wrong password) at a server whose argon2id
// takes 32 MiB per check, and checks that the process's peak resident set
// grows by no more than the password slots allow: twice the slots × 32 MiB
// (a freed block's pages stay resident until reused or scavenged, so a
// slot can hold two blocks' worth at a time) plus 64 MiB for the server,
// the clients and the collector, run with a low GC target. Measured: about
// 100 to 130 MiB. Unbounded, the 32 checks hold about 1 GiB at once.
//
// It does not run in parallel: it measures the whole process (the peak is
// reset through /proc/self/clear_refs before the storm).
func TestLoginStormPeakRSSIsBounded(t *testing.T) {
	eachStore(t, testLoginStormPeakRSSIsBounded)
}

func testLoginStormPeakRSSIsBounded(t *testing.T, open teststores.Open) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux's /proc")
	}
	if testing.Short() {
		t.Skip("a login storm with 32 MiB argon2id checks")
	}
	const memKiB = 32 * 1024
	slots := fanclub.DefaultPasswordConcurrency()
	params := argon2id.Params{Memory: memKiB, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	a := newAuthTestAPI(t, open, fanclub.AuthConfig{PasswordConcurrency: slots, Throttle: fanclub.ThrottleConfig{Disabled: true}}, argon2id.New(params), Config{})
	a.must(201, "POST", "/v1/fans", a.Admin, map[string]string{"handle": "erin", "password": "pw-erin-secret"})

	// A low GC target keeps the heap near what is live, so the peak shows
	// the checks' memory rather than the collector's headroom.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS: %v", err)
	}
	before := procStatusKB(t, "VmHWM")
	var wg sync.WaitGroup
	statuses := make(chan int, loginStormConcurrency)
	start := make(chan struct{})
	for i := range loginStormConcurrency {
		wg.Go(func() {
			handle := "erin"
			if i%2 == 0 {
				handle = fmt.Sprintf("nobody_%d", i)
			}
			<-start
			body := fmt.Sprintf(`{"handle":%q,"password":"wrong-password"}`, handle)
			res, err := http.Post(a.URL+"/v1/sessions", "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		})
	}
	close(start)
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 401 {
			t.Fatalf("storm login answered %d, want 401", s)
		}
	}
	peak := procStatusKB(t, "VmHWM")
	grew := (peak - before) / 1024
	// A freed argon2id block is reused only once the GC has swept it, so
	// a loaded machine can hold a few unswept blocks beside the running
	// ones; the bound allows four a slot, still a quarter of what the
	// storm takes unbounded (one block a login).
	bound := int64(4*slots*memKiB/1024 + 128)
	t.Logf("peak RSS grew %d MiB during %d concurrent logins (%d password slots of %d MiB; bound %d MiB)",
		grew, loginStormConcurrency, slots, memKiB/1024, bound)
	if grew > bound {
		t.Fatalf("peak RSS grew %d MiB, over the bound of %d MiB", grew, bound)
	}
}
