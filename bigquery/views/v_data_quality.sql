-- Data quality detail (page "Data quality"): where every input row of each batch went, by outcome and reason.
SELECT
  batch_id,
  checked_at,
  outcome,
  reason,
  row_count,
  SUM(row_count) OVER (PARTITION BY batch_id) AS batch_rows,
  SAFE_DIVIDE(row_count, SUM(row_count) OVER (PARTITION BY batch_id)) AS share_of_batch
FROM `{{dataset}}.data_quality`
