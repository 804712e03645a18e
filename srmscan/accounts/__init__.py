"""Many accounts: scanning through an assumed role, across an organization, in shards
(`organization`), and merging the per-account reports into one (`merge`)."""
