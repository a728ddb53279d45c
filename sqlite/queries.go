package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// This file is the queries layer of the bulk (ingest path) statements:
// multi-row statements built for a fixed set of row counts, so that each
// one is prepared once when the DB opens and reused by every transaction.

// chunkSizes are the row counts of the multi-row statements, largest first.
// Any number of rows is sent as a sum of them (greedy), so at most
// len(chunkSizes)-1 statements run beyond the full chunks.
var chunkSizes = [...]int{256, 128, 64, 32, 16, 8, 4, 2, 1}

// chunks splits n rows into statement sizes, given as indexes into chunkSizes.
func chunks(n int) []int {
	var out []int
	for i, c := range chunkSizes {
		for n >= c {
			out = append(out, i)
			n -= c
		}
	}
	return out
}

// valuesList returns rows comma-separated groups of cols placeholders.
func valuesList(rows, cols int) string {
	group := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	var b strings.Builder
	b.Grow(rows * (len(group) + 1))
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(group)
	}
	return b.String()
}

const counterCols = 5

func qAddDailyPoints(n int) string {
	return `INSERT INTO daily_points(fan_id, club_id, day, action, points) VALUES ` + valuesList(n, counterCols) +
		` ON CONFLICT(fan_id, club_id, day, action) DO UPDATE SET points = points + excluded.points`
}

// qSetDailyPoints stores counters' absolute values (checkpoints).
func qSetDailyPoints(n int) string {
	return `INSERT INTO daily_points(fan_id, club_id, day, action, points) VALUES ` + valuesList(n, counterCols) +
		` ON CONFLICT(fan_id, club_id, day, action) DO UPDATE SET points = excluded.points`
}

func qDailyPoints(n int) string {
	return `SELECT d.fan_id, d.club_id, d.day, d.action, d.points FROM (VALUES ` + valuesList(n, 4) +
		`) AS k JOIN daily_points AS d ON d.fan_id = k.column1 AND d.club_id = k.column2 AND d.day = k.column3 AND d.action = k.column4`
}

const membershipCols = 12

const membershipSelect = `m.fan_id, m.club_id, m.status, m.level, m.level_points, m.joined_at,
 m.last_interaction_at, m.left_at, m.exits, m.retained, m.rejoin_after, m.version`

func qSaveMemberships(n int) string {
	return `INSERT INTO memberships(fan_id, club_id, status, level, level_points, joined_at,
 last_interaction_at, left_at, exits, retained, rejoin_after, version) VALUES ` + valuesList(n, membershipCols) +
		` ON CONFLICT(fan_id, club_id) DO UPDATE SET status = excluded.status, level = excluded.level,
 level_points = excluded.level_points, joined_at = excluded.joined_at,
 last_interaction_at = excluded.last_interaction_at, left_at = excluded.left_at, exits = excluded.exits,
 retained = excluded.retained, rejoin_after = excluded.rejoin_after, version = excluded.version`
}

func qFindMemberships(n int) string {
	return `SELECT ` + membershipSelect + ` FROM (VALUES ` + valuesList(n, 2) +
		`) AS k JOIN memberships AS m ON m.fan_id = k.column1 AND m.club_id = k.column2`
}

const effectSelect = `e.fan_id, e.club_id, e.kind, e.scope, e.start, e.until, e.ends_on_rejoin, e.factor, e.actions`

// qEffectsOfFans takes n fan ids, then the time effects must not have ended by.
func qEffectsOfFans(n int) string {
	return `SELECT ` + effectSelect + ` FROM (VALUES ` + valuesList(n, 1) +
		`) AS k JOIN effects AS e ON e.fan_id = k.column1 WHERE e.until IS NULL OR e.until > ? ORDER BY e.id`
}

// bulkKind names one of the bulk statements.
type bulkKind int

// The bulk statements.
const (
	kAddDailyPoints bulkKind = iota
	kDailyPoints
	kSaveMemberships
	kFindMemberships
	kEffectsOfFans
	kSetDailyPoints
	numBulkKinds
)

var bulkBuilders = [numBulkKinds]func(int) string{
	kAddDailyPoints:  qAddDailyPoints,
	kDailyPoints:     qDailyPoints,
	kSaveMemberships: qSaveMemberships,
	kFindMemberships: qFindMemberships,
	kEffectsOfFans:   qEffectsOfFans,
	kSetDailyPoints:  qSetDailyPoints,
}

// bulkQueries holds the text of every bulk statement and, on the writer,
// its prepared form.
type bulkQueries struct {
	text [numBulkKinds][len(chunkSizes)]string
	stmt [numBulkKinds][len(chunkSizes)]*sql.Stmt
	// single holds the prepared single-row statements by text.
	single map[string]*sql.Stmt
}

// newBulkQueries builds the statement texts.
func newBulkQueries() *bulkQueries {
	q := &bulkQueries{}
	for k := range numBulkKinds {
		for i, n := range chunkSizes {
			q.text[k][i] = bulkBuilders[k](n)
		}
	}
	return q
}

// prepared returns a copy of q whose statements are prepared on db, which
// must have a free connection (a statement cannot be prepared on the
// single writer connection while a transaction holds it).
func (q *bulkQueries) prepared(ctx context.Context, db *sql.DB) (*bulkQueries, error) {
	p := &bulkQueries{text: q.text, single: make(map[string]*sql.Stmt, len(singleQueries))}
	for _, text := range singleQueries {
		s, err := db.PrepareContext(ctx, text)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
		p.single[text] = s
	}
	for k := range numBulkKinds {
		for i := range chunkSizes {
			s, err := db.PrepareContext(ctx, q.text[k][i])
			if err != nil {
				p.close()
				return nil, fmt.Errorf("sqlite: prepare: %w", err)
			}
			p.stmt[k][i] = s
		}
	}
	return p, nil
}

// preparedSingle returns a copy of q whose single-row statements are
// prepared on db (the reader pool: each connection prepares a statement
// once, on first use, and keeps it), so that a read does not parse SQL.
func (q *bulkQueries) preparedSingle(ctx context.Context, db *sql.DB) (*bulkQueries, error) {
	p := &bulkQueries{text: q.text, single: make(map[string]*sql.Stmt, len(readQueries))}
	for _, text := range readQueries {
		s, err := db.PrepareContext(ctx, text)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
		p.single[text] = s
	}
	return p, nil
}

// readQueries are the single-row statements reads run.
var readQueries = append([]string{qFindClub, qFindFanByID, qFindToken, qFindBatch, qFindMembership, qJournalSeq, qLogRow},
	ledgerReadQueries()...)

// close closes the prepared statements.
func (q *bulkQueries) close() {
	for text, s := range q.single {
		s.Close()
		delete(q.single, text)
	}
	for k := range numBulkKinds {
		for i := range chunkSizes {
			if s := q.stmt[k][i]; s != nil {
				s.Close()
				q.stmt[k][i] = nil
			}
		}
	}
}

// Hot single-row statements, prepared on the writer when the DB opens.
const (
	qFindClub       = `SELECT ` + clubCols + ` FROM clubs WHERE id = ?`
	qFindFanByID    = `SELECT id, handle, password_hash, created_at FROM fans WHERE id = ?`
	qFindToken      = `SELECT ` + tokenCols + ` FROM tokens WHERE hash = ?`
	qCreateFan      = `INSERT INTO fans(id, handle, password_hash, created_at) VALUES (NULLIF(?, 0), ?, ?, ?)`
	qFindBatch      = `SELECT result FROM batches WHERE producer = ? AND seq = ?`
	qSaveBatch      = `INSERT INTO batches(producer, seq, result, created_at) VALUES (?, ?, ?, ?)`
	qFindMembership = `SELECT ` + membershipSelect + ` FROM memberships AS m WHERE m.fan_id = ? AND m.club_id = ?`
	qAppendJournal  = `INSERT INTO state_journal(body) VALUES (?)`
	qJournalSeq     = `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'state_journal'), 0)`
	qAppendLog      = `INSERT INTO event_log(format, body) VALUES (?, ?)`
	qLogRow         = `SELECT format, body FROM event_log WHERE id = ?`
)

// singleQueries lists the single-row statements to prepare.
var singleQueries = append([]string{qFindClub, qFindFanByID, qFindToken, qCreateFan, qFindBatch, qSaveBatch, qFindMembership, qAppendJournal,
	qJournalSeq, qAppendLog, qLogRow, qExpireBatches}, ledgerReadQueries()...)
