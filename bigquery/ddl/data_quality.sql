CREATE TABLE IF NOT EXISTS `{{dataset}}.data_quality` (
  batch_id STRING NOT NULL OPTIONS(description="The input batch (usually the month, e.g. 2019-10)."),
  checked_at TIMESTAMP NOT NULL OPTIONS(description="When the clean job produced this report (UTC)."),
  outcome STRING NOT NULL OPTIONS(description="valid, duplicate (exact duplicate removed) or quarantined."),
  reason STRING NOT NULL OPTIONS(description="Quarantine reason; empty string for valid and duplicate rows."),
  row_count INT64 NOT NULL OPTIONS(description="Number of input rows with this outcome and reason.")
)
OPTIONS(description="Where every input row of a batch went: one row per batch, outcome and reason.");
