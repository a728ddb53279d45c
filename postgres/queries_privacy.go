package postgres

// Queries of the personal data dimension 5 governs (tx_privacy.go).
const (
	qSeeDeviceInClub = `INSERT INTO devices(fan_id, club_id, device_id, first_seen, last_seen, state) VALUES ($1, $2, $3, $4, $4, 'live')
 ON CONFLICT (fan_id, club_id, device_id) DO UPDATE SET state = 'live', last_seen = GREATEST(devices.last_seen, EXCLUDED.last_seen)`
	qSeeDevice   = `UPDATE devices SET last_seen = $3 WHERE fan_id = $1 AND device_id = $2 AND state IN ('live', 'refresh') AND last_seen < $3`
	qListDevices = `SELECT fan_id, club_id, device_id, first_seen, last_seen, state FROM devices
 WHERE fan_id = $1 AND ($2::bigint = 0 OR club_id = $2) ORDER BY club_id, device_id`
	qSetDeviceState = `UPDATE devices SET state = $3 WHERE fan_id = $1 AND club_id = $2`
	qDeleteDevices  = `DELETE FROM devices WHERE fan_id = $1 AND ($2::bigint = 0 OR club_id = $2)`
	qSaveFollow     = `INSERT INTO follows(fan_id, creator_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
	qDeleteFollow   = `DELETE FROM follows WHERE fan_id = $1 AND creator_id = $2`
	qListFollows    = `SELECT fan_id, creator_id, at FROM follows WHERE fan_id = $1 ORDER BY creator_id`
	qAddReceipt     = `INSERT INTO deletion_receipts(fan_id, club_id, category, action, count, kept, at, until, rule, basis)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`
	qListReceipts = `SELECT id, fan_id, club_id, category, action, count, kept, at, until, rule, basis FROM deletion_receipts
 WHERE fan_id = $1 ORDER BY id`
	qAnonymisePayments   = `UPDATE payments SET fan_id = $2, key = 'anonymised/' || id WHERE fan_id = $1`
	qAnonymiseGifts      = `UPDATE gifts SET fan_id = $2, key = 'anonymised/' || id WHERE fan_id = $1`
	qEraseFan            = `UPDATE fans SET handle = $2, password_hash = '' WHERE id = $1`
	qRevokeFanTokens     = `UPDATE tokens SET revoked_at = $2 WHERE role = 'fan' AND subject_id = $1 AND revoked_at IS NULL`
	qDeleteFanDeliveries = `DELETE FROM webhook_deliveries WHERE notification_id IN
 (SELECT id FROM notifications WHERE recipient_kind = 'fan' AND recipient_id = $1)`
	qDeleteFanNotifications = `DELETE FROM notifications WHERE recipient_kind = 'fan' AND recipient_id = $1`
	qDeleteFanAge           = `DELETE FROM fan_ages WHERE fan_id = $1`
	qDeleteFanImports       = `DELETE FROM imports WHERE fan_id = $1`
)
