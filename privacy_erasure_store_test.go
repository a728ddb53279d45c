package fanclub_test

import (
	"context"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestErasedHandleIsOneNoAccountCanHold(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testErasedHandleIsOneNoAccountCanHold)
}

// testErasedHandleIsOneNoAccountCanHold has another account take the
// handle the erasure used to give ("erased_<id>") before the fan asks for
// erasure: the erasure completes, the fan's handle is ErasedHandle, which
// no account can be created with, and the other account is untouched.
func testErasedHandleIsOneNoAccountCanHold(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	e, _, db := engineOn(t, open)
	fan, club := memberOf(t, e, "fair")
	squatter, err := e.CreateFan(ctx, "erased_1", "password1")
	mustOK(t, "create the old erased handle", err)
	_, err = e.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase", err)
	m, err := e.Membership(ctx, fan, club)
	mustOK(t, "membership", err)
	if m.Status != fanclub.StatusLeft {
		t.Fatalf("membership after erasure: %s", m.Status)
	}
	mustOK(t, "read fans", inReadTx(db, func(tx fanclub.Tx) error {
		f, err := tx.FindFanByID(ctx, fan)
		if err != nil {
			return err
		}
		if f.Handle != fanclub.ErasedHandle(fan) || f.PasswordHash != "" {
			t.Errorf("erased fan: handle %q, password hash %q", f.Handle, f.PasswordHash)
		}
		s, err := tx.FindFanByID(ctx, squatter.ID)
		if err == nil && s.Handle != "erased_1" {
			t.Errorf("the other account's handle became %q", s.Handle)
		}
		return err
	}))
	if _, _, err := e.LoginFan(ctx, "fan_a", "password1", ""); fanclub.ErrorCode(err) != fanclub.EUNAUTHORIZED {
		t.Fatalf("login after erasure: %v", err)
	}
	for _, id := range []int64{fan, squatter.ID + 1} {
		h := fanclub.ErasedHandle(id)
		if fanclub.ValidHandle(h) {
			t.Fatalf("ValidHandle(%q) is true", h)
		}
		_, err := e.CreateFan(ctx, h, "password1")
		wantFieldError(t, err, "handle")
	}
}
