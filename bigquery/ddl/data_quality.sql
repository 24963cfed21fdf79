CREATE TABLE IF NOT EXISTS `{{dataset}}.data_quality` (
  batch_id STRING NOT NULL OPTIONS(description="The input batch (usually the month, e.g. 2019-10; stream-<n> for micro-batch n of `stream`)."),
  checked_at TIMESTAMP NOT NULL OPTIONS(description="When the clean job produced this report (UTC)."),
  outcome STRING NOT NULL OPTIONS(description="valid, duplicate (exact duplicate removed), quarantined, or rejected_file (a landed file `stream` refused whole: bad_header or unreadable_file)."),
  reason STRING NOT NULL OPTIONS(description="Quarantine or rejection reason; empty string for valid and duplicate rows."),
  row_count INT64 NOT NULL OPTIONS(description="Number of input rows with this outcome and reason (for rejected_file: number of files).")
)
OPTIONS(description="Where every input row of a batch went: one row per batch, outcome and reason.");
