"""``python -m bench`` (from the repository root): see bench/perf/run.py."""

import sys

from bench.perf.run import main

sys.exit(main())
