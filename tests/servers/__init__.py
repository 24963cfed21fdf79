"""Real servers started by test fixtures: a fault-injecting HTTP file server and fake-gcs-server."""
