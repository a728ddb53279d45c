package export_test

import (
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"strings"

	"fanclub/export"
)

// craftedExportedAt is the time of a crafted document: the test
// instances' start, so that it is not in their future.
const craftedExportedAt = "2026-11-20T04:00:00Z"

// crafted is a hand-made JSON export, written member by member, so that
// a test can change one value and sign the result as an instance would.
type crafted struct {
	exported string
	fan      string
	clubs    []string
	withheld []string
	rows     map[string][]string
	// counts is the counts member; "" writes the right one.
	counts string
	// edit, when set, changes the signed part before it is signed.
	edit func(string) string
}

// goodCrafted is a document every check accepts: one club, a left
// membership that kept its progress, and one row in every table.
func goodCrafted() *crafted {
	return &crafted{
		exported: craftedExportedAt,
		fan:      `{"id":3,"handle":"mei","created_at":"2026-11-01T00:00:00Z"}`,
		clubs:    []string{`{"id":1,"name":"kai's fans","creator_id":1,"policy":"fair","policy_version":"1.0.0"}`},
		withheld: []string{`{"club_id":2,"policy":"douyin","reason":"the club's policy offers no json export"}`},
		rows: map[string][]string{
			"memberships": {`{"club_id":1,"status":"left","level":2,"level_points":0,"joined_at":"2026-11-01T00:00:00Z","last_interaction_at":"2026-11-03T00:00:00Z","left_at":"2026-11-10T00:00:00Z","exits":1,` +
				`"retained":{"option":"keep","points":120,"level":2,"until":"2026-12-10T00:00:00Z","forever":false,"decay":"none","decay_days":0,"restore":"points"}}`},
			"points":        {`{"id":1,"delta":-30,"reason":"exit conversion","at":"2026-11-10T00:00:00Z"}`},
			"purchases":     {`{"id":1,"club_id":0,"kind":"charge","purpose":"coins","amount":500,"currency":"CNY","coins":50,"status":"succeeded","created_at":"2026-11-02T00:00:00Z","settled_at":"2026-11-02T00:00:01Z"}`},
			"subscriptions": {`{"id":1,"club_id":1,"tier":"vip","plan":"monthly","price":1500,"currency":"CNY","status":"canceled","auto_renew":false,"period_start":"2026-11-02T00:00:00Z","period_end":"2026-12-02T00:00:00Z","benefits_until":"2026-12-02T00:00:00Z","created_at":"2026-11-02T00:00:00Z"}`},
			"gifts":         {`{"id":1,"club_id":1,"coins":5,"value":50,"currency":"CNY","points":50,"event_id":"gift-1","at":"2026-11-03T00:00:00Z"}`},
			"interactions":  {`{"id":"ev-1","club_id":1,"action":"like","amount":1,"at":"2026-11-03T00:00:00Z"}`},
			"receipts":      {`{"at":"2026-11-10T00:00:00Z","club_id":1,"category":"behaviour_log","action":"erase","count":3,"kept":1,"until":null,"rule":"data.behaviourLogRetention: 0","basis":"policy fair 1.0.0"}`},
		},
	}
}

// set replaces the first row of a table (or of clubs, withheld) by row.
func (c *crafted) set(table, row string) *crafted {
	switch table {
	case "clubs":
		c.clubs[0] = row
	case "withheld":
		c.withheld[0] = row
	default:
		c.rows[table][0] = row
	}
	return c
}

// replace changes old to new in the first row of a table; it panics when
// the row has no old, so that a case cannot silently test nothing.
func (c *crafted) replace(table, old, new string) *crafted {
	row := map[string]*string{"fan": &c.fan, "clubs": &c.clubs[0], "withheld": &c.withheld[0]}[table]
	if row == nil {
		row = &c.rows[table][0]
	}
	if !strings.Contains(*row, old) {
		panic("crafted: " + table + " has no " + old)
	}
	*row = strings.Replace(*row, old, new, 1)
	return c
}

// signedPart writes the document's members before the signature.
func (c *crafted) signedPart(keyID string) string {
	var b strings.Builder
	b.WriteString(`{"format":"fanclub-export","version":1,"schema":"/v1/schemas/export.json","instance":"https://a.example","key_id":"` + keyID +
		`","exported_at":"` + c.exported + `","fan":` + c.fan + `,"clubs":[` + strings.Join(c.clubs, ",") + `],"withheld":[` +
		strings.Join(c.withheld, ",") + `]`)
	counts := map[string]int{}
	for _, t := range export.Tables {
		b.WriteString(`,"` + t + `":[` + strings.Join(c.rows[t], ",") + `]`)
		counts[t] = len(c.rows[t])
	}
	if c.counts == "" {
		raw, _ := json.Marshal(counts)
		c.counts = string(raw)
	}
	b.WriteString(`,"counts":` + c.counts)
	s := b.String()
	if c.edit != nil {
		s = c.edit(s)
	}
	return s
}

// sign signs the document with s as an instance does.
func (c *crafted) sign(s *export.Signer) []byte {
	signed := c.signedPart(s.Key.ID)
	sum := sha256.Sum256([]byte(signed))
	sig, _ := json.Marshal(s.Sign(sum[:]))
	return []byte(signed + "\n,\"signature\":" + string(sig) + "}\n")
}

// quote is strconv.Quote.
func quote(s string) string { return strconv.Quote(s) }
