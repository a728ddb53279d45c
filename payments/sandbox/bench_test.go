package sandbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fanclub/internal/teststores"
	"fanclub/payments"
	"fanclub/payments/sandbox"
)

// BenchmarkCharge measures one charge (a new key each time) and one retry
// (a key already charged) on each on-disk store.
func BenchmarkCharge(b *testing.B) {
	for _, s := range teststores.OnDisk {
		if s.Name == teststores.Postgres.Name && !teststores.Available() {
			continue
		}
		p := sandbox.New(s.Open(b, func() time.Time { return start }), sandbox.Options{})
		ctx := context.Background()
		b.Run(s.Name+"/new", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := p.Charge(ctx, payments.ChargeRequest{Key: fmt.Sprint("n", i), FanID: 1, Amount: 100, Currency: "CNY"}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(s.Name+"/retry", func(b *testing.B) {
			req := payments.ChargeRequest{Key: "same", FanID: 1, Amount: 100, Currency: "CNY"}
			for b.Loop() {
				if _, err := p.Charge(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
