package fanclub

// presetData builds, in Go, a preset's dimension-5 data rule as
// docs/presets.md defines it.
func presetData(name string) DataRule {
	switch name {
	case "wechat-channels":
		return DataRule{BehaviourLogRetention: Days(180), DeviceIDs: DeviceErase, Follow: FollowRemove}
	case "douyin":
		return DataRule{BehaviourLogRetention: Forever(), DeviceIDs: DeviceKeep, Follow: FollowKeep}
	case "kuaishou":
		return DataRule{BehaviourLogRetention: Days(30), DeviceIDs: DeviceRefresh, Follow: FollowKeep, KeepInteractionRecords: true}
	case "fair":
		return DataRule{ErasedWithProgress: true, DeviceIDs: DeviceErase, Follow: FollowFanChoice, DeletionReceipts: true,
			LegalHolds: []LegalHold{
				{Records: "transaction_records", Retention: Days(1096), Basis: "E-Commerce Law Art. 31"},
				{Records: "network_logs", Retention: Days(184), Basis: "Cybersecurity Law Art. 21"}}}
	}
	return DataRule{}
}
