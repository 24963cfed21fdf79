import sys

from spark_jobs.cli import main

sys.exit(main())
