package fanclub_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestLoginThrottleCountsAnIPv6NetworkAsOneAddress(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testLoginThrottleCountsAnIPv6NetworkAsOneAddress)
}

func testLoginThrottleCountsAnIPv6NetworkAsOneAddress(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, _, _ := engineWithAuth(t, open, fanclub.AuthConfig{Throttle: fanclub.ThrottleConfig{AddrFree: 3, Base: time.Minute}}, nil)
	login := func(handle, addr string) error {
		_, _, err := e.LoginFan(ctx, handle, "guess", addr)
		return err
	}
	for i, addr := range []string{"2001:db8::1", "2001:db8::2", "2001:db8::ffff:1"} {
		wantCode(t, "failure from "+addr, login("fan_"+string(rune('a'+i)), addr), fanclub.EUNAUTHORIZED)
	}
	wantCode(t, "another address of the same /64", login("fan_z", "2001:db8::9"), fanclub.ETOOMANY)
	wantCode(t, "another /64", login("fan_z", "2001:db8:0:1::1"), fanclub.EUNAUTHORIZED)

	for i, addr := range []string{"10.1.2.3", "::ffff:10.1.2.3", "10.1.2.3"} {
		wantCode(t, "failure from "+addr, login("ipv4_"+string(rune('a'+i)), addr), fanclub.EUNAUTHORIZED)
	}
	wantCode(t, "an IPv4 address written as IPv6 is the same address", login("ipv4_z", "::ffff:10.1.2.3"), fanclub.ETOOMANY)
	wantCode(t, "an address with a port is the address", login("ipv4_z", "10.1.2.3:443"), fanclub.ETOOMANY)
	wantCode(t, "an IPv6 address with a port is its /64", login("fan_z", "[2001:db8::7]:443"), fanclub.ETOOMANY)
	wantCode(t, "the next IPv4 address is another", login("ipv4_z", "10.1.2.4"), fanclub.EUNAUTHORIZED)
}

func TestLoginAndExitPasswordsShareTheHandlesLimit(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testLoginAndExitPasswordsShareTheHandlesLimit)
}

func testLoginAndExitPasswordsShareTheHandlesLimit(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, clk, db := engineWithAuth(t, open, fanclub.AuthConfig{Throttle: fanclub.ThrottleConfig{Free: 3, Base: time.Minute, Max: time.Hour}}, nil)
	fan, club := memberOf(t, e, "douyin") // handle fan_a
	for range 3 {
		_, _, err := e.LoginFan(ctx, "fan_a", "wrong-password", "")
		wantCode(t, "wrong login", err, fanclub.EUNAUTHORIZED)
	}
	wantCode(t, "exit password guess while the handle is locked", confirmWrongPassword(t, e, db, fan, club), fanclub.ETOOMANY)

	clk.Advance(time.Hour)
	for range 3 {
		wantCode(t, "wrong exit password", confirmWrongPassword(t, e, db, fan, club), fanclub.ECHALLENGE)
	}
	_, _, err := e.LoginFan(ctx, "fan_a", "password1", "")
	wantCode(t, "login after wrong exit passwords", err, fanclub.ETOOMANY)
}

// confirmWrongPassword requests an exit from the club and confirms it
// with every answer right but the password; it returns the confirm's error.
func confirmWrongPassword(t *testing.T, e *fanclub.Engine, db fanclub.Store, fan, club int64) error {
	t.Helper()
	r, err := e.RequestExit(context.Background(), fan, club, nil)
	if err != nil {
		t.Fatal(err)
	}
	wrong := rightAnswers(t, db, r.ID)
	wrong.Password = "another-guess"
	_, err = e.ConfirmExit(context.Background(), fan, r.ID, wrong)
	return err
}
