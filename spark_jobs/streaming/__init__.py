"""Fresh data: `stream` (Structured Streaming over a landing zone) and `compact`.

- `landing`: which landed files are read and how (CSV / JSON lines -> the raw columns clean.py takes),
  and the files refused whole (bad header, unreadable);
- `ledger`: the per-micro-batch commit records that make a replayed batch id a no-op;
- `micro_batch`: one micro-batch, cleaned by the functions of clean.py and merged into the lake;
- `job`: the streaming query (trigger, checkpoint, lock, signals, the monthly marts cadence);
- `compact`: a day's events rewritten as the batch job writes them, and its marts rebuilt.
"""
