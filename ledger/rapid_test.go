package ledger

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// ledgerMachine posts random transfers to a Book: plain and pending
// transfers, posts and voids, batches, replays and conflicting replays,
// malformed ones; after every step the book must pass Audit and every
// key must still return its first result.
type ledgerMachine struct {
	b       *Book
	at      time.Time
	n       int
	ins     map[string]Transfer // the input that first succeeded under each key
	out     map[string]Transfer // its result
	pending []string
	keys    []string
}

// pool are the accounts transfers pick from: two assets, flagged and not.
var pool = []Account{
	FanCoins(1), FanCoins(2), FanCoins(3), FanOwed(1), PlatformCoins(), PlatformRevenue(Coin), CreatorPending(5, Coin),
	PaymentClearing(CNY), PlatformRevenue(CNY), CreatorPending(5, CNY), CreatorAvailable(5, CNY),
}

func (m *ledgerMachine) newKey() string {
	m.n++
	return fmt.Sprintf("k%d", m.n)
}

// randomTransfer draws a plain or pending transfer, mostly well-formed.
func (m *ledgerMachine) randomTransfer(t *rapid.T, flags TransferFlags) Transfer {
	dr := rapid.SampledFrom(pool).Draw(t, "debit")
	cr := rapid.SampledFrom(pool).Draw(t, "credit")
	asset := dr.Asset
	if rapid.IntRange(0, 20).Draw(t, "wrongAsset") == 0 {
		asset = cr.Asset
	}
	return Transfer{Key: m.newKey(), Debit: dr.ID, Credit: cr.ID, Asset: asset, Flags: flags,
		Amount: rapid.Int64Range(0, 60).Draw(t, "amount"), Code: "rapid"}
}

// resolve draws a post or void of a known pending transfer (or a plain one).
func (m *ledgerMachine) resolve(t *rapid.T, flags TransferFlags) Transfer {
	tr := Transfer{Key: m.newKey(), Flags: flags, Code: "rapid", PendingKey: "none"}
	if len(m.pending) > 0 {
		tr.PendingKey = rapid.SampledFrom(m.pending).Draw(t, "pendingKey")
		if rapid.Bool().Draw(t, "explicit") {
			p := m.ins[tr.PendingKey]
			tr.Debit, tr.Credit, tr.Asset = p.Debit, p.Credit, p.Asset
		}
	} else if len(m.keys) > 0 {
		tr.PendingKey = rapid.SampledFrom(m.keys).Draw(t, "plainKey")
	}
	tr.Amount = rapid.Int64Range(0, 70).Draw(t, "amount")
	return tr
}

// post runs Post on the book and checks all-or-none and replays.
func (m *ledgerMachine) post(t *rapid.T, in ...Transfer) {
	m.at = m.at.Add(time.Second)
	beforeA, beforeT := m.b.Accounts(), m.b.Transfers()
	got, err := Post(context.Background(), m.b, m.at, in...)
	if err != nil {
		if ErrorCode(err) == "" {
			t.Fatalf("Post: untyped error %v", err)
		}
		if a, tr := m.b.Accounts(), m.b.Transfers(); fmt.Sprint(a, tr) != fmt.Sprint(beforeA, beforeT) {
			t.Fatalf("failed Post (%v) changed the book", err)
		}
		for _, tr := range in {
			if first, ok := m.ins[tr.Key]; ok && ErrorCode(err) == EKeyConflict && sameContent(&tr, &first) && len(in) == 1 {
				t.Fatalf("replay of %q refused: %v", tr.Key, err)
			}
		}
		return
	}
	if len(got) != len(in) {
		t.Fatalf("Post returned %d transfers for %d", len(got), len(in))
	}
	for i, tr := range in {
		g := got[i]
		if first, ok := m.out[tr.Key]; ok {
			g.State, first.State = "", ""
			if g != first {
				t.Fatalf("replay of %q returned %+v, first %+v", tr.Key, got[i], m.out[tr.Key])
			}
			continue
		}
		if g.Key != tr.Key || g.Seq == 0 || !g.At.Equal(m.at) {
			t.Fatalf("result %+v for %+v", g, tr)
		}
		m.ins[tr.Key], m.out[tr.Key] = tr, g
		m.keys = append(m.keys, tr.Key)
		if tr.Flags == Pending {
			m.pending = append(m.pending, tr.Key)
		}
	}
}

func (m *ledgerMachine) check(t *rapid.T) {
	if err := Audit(m.b.Accounts(), m.b.Transfers()); err != nil {
		t.Fatal(err)
	}
	stored, _ := m.b.FindTransfers(context.Background(), m.keys)
	for k, first := range m.out {
		s := stored[k]
		s.State, first.State = "", ""
		if s != first {
			t.Fatalf("key %q holds %+v, first result %+v", k, stored[k], m.out[k])
		}
	}
}

func TestLedgerStateMachine(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := &ledgerMachine{b: &Book{}, at: t0, ins: map[string]Transfer{}, out: map[string]Transfer{}}
		// Fund the fans so that flagged accounts see both outcomes.
		for i, f := range pool[:3] {
			m.post(t, Transfer{Key: fmt.Sprint("fund", i), Debit: PlatformCoins().ID, Credit: f.ID, Asset: Coin, Amount: 100, Code: "coin_purchase"})
		}
		m.post(t, Transfer{Key: "fund-cny", Debit: PaymentClearing(CNY).ID, Credit: CreatorPending(5, CNY).ID, Asset: CNY, Amount: 100})
		t.Repeat(map[string]func(*rapid.T){
			"plain":   func(t *rapid.T) { m.post(t, m.randomTransfer(t, 0)) },
			"pending": func(t *rapid.T) { m.post(t, m.randomTransfer(t, Pending)) },
			"post":    func(t *rapid.T) { m.post(t, m.resolve(t, PostPending)) },
			"void":    func(t *rapid.T) { m.post(t, m.resolve(t, VoidPending)) },
			"batch": func(t *rapid.T) {
				var in []Transfer
				for range rapid.IntRange(2, 4).Draw(t, "size") {
					switch rapid.IntRange(0, 3).Draw(t, "kind") {
					case 0:
						in = append(in, m.randomTransfer(t, 0))
					case 1:
						tr := m.randomTransfer(t, Pending)
						in = append(in, tr)
						// A post or void of it later in the same batch.
						if rapid.Bool().Draw(t, "resolveInBatch") {
							in = append(in, Transfer{Key: m.newKey(), Flags: PostPending << rapid.IntRange(0, 1).Draw(t, "void"),
								PendingKey: tr.Key, Amount: rapid.Int64Range(0, tr.Amount).Draw(t, "part")})
						}
					case 2:
						in = append(in, m.resolve(t, PostPending))
					default:
						in = append(in, m.resolve(t, VoidPending))
					}
				}
				m.post(t, in...)
			},
			"replay": func(t *rapid.T) {
				if len(m.keys) == 0 {
					t.Skip("nothing to replay")
				}
				m.post(t, m.ins[rapid.SampledFrom(m.keys).Draw(t, "key")])
			},
			"conflicting replay": func(t *rapid.T) {
				if len(m.keys) == 0 {
					t.Skip("nothing to replay")
				}
				tr := m.ins[rapid.SampledFrom(m.keys).Draw(t, "key")]
				if rapid.Bool().Draw(t, "byCode") || tr.Flags&(PostPending|VoidPending) != 0 {
					tr.Code += "-other"
				} else {
					tr.Amount++
				}
				before := len(m.b.Transfers())
				_, err := Post(context.Background(), m.b, m.at, tr)
				if ErrorCode(err) != EKeyConflict && ErrorCode(err) != EInvalid {
					t.Fatalf("conflicting replay of %q: %v", tr.Key, err)
				}
				if len(m.b.Transfers()) != before {
					t.Fatal("a conflicting replay stored a transfer")
				}
			},
			"": m.check,
		})
	})
}
