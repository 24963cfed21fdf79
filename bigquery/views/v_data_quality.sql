-- Data quality detail (page "Data quality"): where every input row of each batch went, by outcome and reason
-- (rejected_file rows count files that `stream` refused whole, not rows: left out of the batch's rows).
SELECT
  batch_id,
  checked_at,
  outcome,
  reason,
  row_count,
  SUM(IF(outcome = 'rejected_file', 0, row_count)) OVER (PARTITION BY batch_id) AS batch_rows,
  SAFE_DIVIDE(row_count, SUM(IF(outcome = 'rejected_file', 0, row_count)) OVER (PARTITION BY batch_id)) AS share_of_batch
FROM `{{dataset}}.data_quality`
