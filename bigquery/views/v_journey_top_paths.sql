-- The 20 most frequent session paths over the loaded period (session_paths_monthly): a path is a
-- session's event types in order, repeats collapsed, the first 5 steps. purchase_rate is the share of
-- the path's sessions with a purchase; session_share the path's share of all sessions. Ties on the
-- session count are ranked by path.
WITH paths AS (
  SELECT
    path,
    SUM(sessions) AS sessions,
    SUM(purchasing_sessions) AS purchasing_sessions,
    SUM(revenue) AS revenue
  FROM `{{dataset}}.session_paths_monthly`
  GROUP BY path
), ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (ORDER BY sessions DESC, path) AS path_rank,
    SUM(sessions) OVER () AS all_sessions
  FROM paths
)
SELECT
  path_rank,
  path,
  sessions,
  purchasing_sessions,
  SAFE_DIVIDE(purchasing_sessions, sessions) AS purchase_rate,
  SAFE_DIVIDE(sessions, all_sessions) AS session_share,
  revenue
FROM ranked
WHERE path_rank <= 20
