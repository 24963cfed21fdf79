-- Data quality per batch (page "Data quality" scorecards): rows read, kept, deduplicated and quarantined
-- (rejected_file rows count files `stream` refused whole, not rows).
SELECT
  batch_id,
  MAX(checked_at) AS checked_at,
  SUM(IF(outcome = 'rejected_file', 0, row_count)) AS input_rows,
  SUM(IF(outcome = 'valid', row_count, 0)) AS valid_rows,
  SUM(IF(outcome = 'duplicate', row_count, 0)) AS duplicate_rows,
  SUM(IF(outcome = 'quarantined', row_count, 0)) AS quarantined_rows,
  SAFE_DIVIDE(SUM(IF(outcome = 'duplicate', row_count, 0)), SUM(IF(outcome = 'rejected_file', 0, row_count))) AS duplicate_rate,
  SAFE_DIVIDE(SUM(IF(outcome = 'quarantined', row_count, 0)), SUM(IF(outcome = 'rejected_file', 0, row_count))) AS quarantine_rate
FROM `{{dataset}}.data_quality`
GROUP BY batch_id
