package storetest

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/clock"
)

// deviceKey names one device record of the property test's model.
type deviceKey struct {
	club int64
	id   string
}

// testDevicesProperty runs random sequences of sightings (in a club or
// not, at times going back as well as forward), state changes and
// deletions against a model of one fan's device records, comparing
// ListDevices after each step. Each run uses a fan of its own.
func testDevicesProperty(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	t0 := c.Now().UTC()
	fan := int64(0)
	states := []fanclub.DeviceState{fanclub.DeviceLive, fanclub.DeviceRefreshed, fanclub.DeviceFrozen}
	rapid.Check(t, func(rt *rapid.T) {
		fan++
		model := map[deviceKey]fanclub.Device{}
		write := func(fn func(tx fanclub.Tx) error) { inRapidWriteTx(rt, s, fn) }
		for range rapid.IntRange(1, 30).Draw(rt, "steps") {
			club := rapid.Int64Range(0, 3).Draw(rt, "club")
			id := rapid.SampledFrom([]string{"a", "b"}).Draw(rt, "device")
			switch rapid.IntRange(0, 2).Draw(rt, "op") {
			case 0:
				at := t0.Add(time.Duration(rapid.IntRange(0, 100).Draw(rt, "minute")) * time.Minute)
				write(func(tx fanclub.Tx) error {
					return tx.SeeDevices(ctx, []fanclub.DeviceSighting{{FanID: fan, ClubID: club, DeviceID: id, At: at}})
				})
				if club != 0 {
					k := deviceKey{club, id}
					d, ok := model[k]
					if !ok {
						d = fanclub.Device{FanID: fan, ClubID: club, DeviceID: id, FirstSeen: at, LastSeen: at}
					}
					d.State = fanclub.DeviceLive
					model[k] = d
				}
				for k, d := range model {
					if k.id == id && d.State != fanclub.DeviceFrozen && d.LastSeen.Before(at) {
						d.LastSeen = at
						model[k] = d
					}
				}
			case 1:
				st := rapid.SampledFrom(states).Draw(rt, "state")
				write(func(tx fanclub.Tx) error { return tx.SetDeviceState(ctx, fan, club, st) })
				for k, d := range model {
					if k.club == club {
						d.State = st
						model[k] = d
					}
				}
			default:
				var n int64
				write(func(tx fanclub.Tx) (err error) {
					n, err = tx.DeleteDevices(ctx, fan, club)
					return err
				})
				want := int64(0)
				for k := range model {
					if club == 0 || k.club == club {
						delete(model, k)
						want++
					}
				}
				if n != want {
					rt.Fatalf("DeleteDevices(club %d) = %d, want %d", club, n, want)
				}
			}
			want := make([]fanclub.Device, 0, len(model))
			for _, d := range model {
				want = append(want, d)
			}
			slices.SortFunc(want, func(a, b fanclub.Device) int {
				return cmp.Or(cmp.Compare(a.ClubID, b.ClubID), cmp.Compare(a.DeviceID, b.DeviceID))
			})
			tx, err := s.BeginTx(ctx, false)
			if err != nil {
				rt.Fatalf("BeginTx: %v", err)
			}
			got, err := tx.ListDevices(ctx, fan, 0)
			_ = tx.Rollback()
			if err != nil {
				rt.Fatalf("ListDevices: %v", err)
			}
			if !slices.Equal(got, want) {
				rt.Fatalf("devices %+v, want %+v", got, want)
			}
		}
	})
}
