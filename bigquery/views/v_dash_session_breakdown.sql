-- Dashboard session distributions over the whole loaded period, one row per (measure, bucket):
-- measure 'duration' buckets duration_seconds, 'events' buckets event_count, 'furthest_stage' splits
-- sessions by how far they got, named for what the bucket holds: 'no cart or purchase' (the mart's
-- furthest_stage 'view': views and removals only), 'cart, no purchase', 'purchase'.
WITH bucketed AS (
  SELECT
    CASE
      WHEN duration_seconds = 0 THEN 1
      WHEN duration_seconds < 30 THEN 2
      WHEN duration_seconds < 60 THEN 3
      WHEN duration_seconds < 120 THEN 4
      WHEN duration_seconds < 300 THEN 5
      WHEN duration_seconds < 600 THEN 6
      WHEN duration_seconds < 1800 THEN 7
      WHEN duration_seconds < 3600 THEN 8
      ELSE 9
    END AS duration_bucket,
    CASE
      WHEN event_count <= 5 THEN event_count
      WHEN event_count <= 10 THEN 6
      WHEN event_count <= 20 THEN 7
      WHEN event_count <= 50 THEN 8
      ELSE 9
    END AS events_bucket,
    CASE furthest_stage WHEN 'view' THEN 1 WHEN 'cart' THEN 2 WHEN 'purchase' THEN 3 END AS stage_bucket
  FROM `{{dataset}}.sessions`
),
counted AS (
  SELECT 'duration' AS measure, duration_bucket AS bucket_order, COUNT(*) AS sessions
  FROM bucketed GROUP BY duration_bucket
  UNION ALL
  SELECT 'events' AS measure, events_bucket AS bucket_order, COUNT(*) AS sessions
  FROM bucketed GROUP BY events_bucket
  UNION ALL
  SELECT 'furthest_stage' AS measure, stage_bucket AS bucket_order, COUNT(*) AS sessions
  FROM bucketed GROUP BY stage_bucket
)
SELECT
  measure,
  bucket_order,
  CASE
    WHEN measure = 'furthest_stage' THEN CASE bucket_order
      WHEN 1 THEN 'no cart or purchase' WHEN 2 THEN 'cart, no purchase' ELSE 'purchase'
    END
    WHEN measure = 'events' AND bucket_order <= 5 THEN CAST(bucket_order AS STRING)
    WHEN measure = 'events' THEN CASE bucket_order WHEN 6 THEN '6-10' WHEN 7 THEN '11-20' WHEN 8 THEN '21-50' ELSE '51+' END
    ELSE CASE bucket_order
      WHEN 1 THEN '0 s' WHEN 2 THEN '1-29 s' WHEN 3 THEN '30-59 s' WHEN 4 THEN '1-2 min' WHEN 5 THEN '2-5 min'
      WHEN 6 THEN '5-10 min' WHEN 7 THEN '10-30 min' WHEN 8 THEN '30-60 min' ELSE '1 h+'
    END
  END AS bucket,
  sessions,
  SAFE_DIVIDE(sessions, SUM(sessions) OVER (PARTITION BY measure)) AS share_of_sessions
FROM counted
