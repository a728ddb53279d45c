-- kept: how many records of the receipt's category the purge left in
-- place for the policy (the interaction records of
-- data.keepInteractionRecords); 0 for a receipt that kept nothing.
ALTER TABLE deletion_receipts ADD COLUMN kept BIGINT NOT NULL DEFAULT 0;
