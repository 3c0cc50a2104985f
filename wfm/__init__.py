"""wfm: the command-line application over the forecasting and scheduling libraries."""

import os

# Small least-squares fits run 25-500x slower with multi-threaded BLAS on a
# 2-core machine shared with the solver; one thread is the fast setting here.
# Set before numpy loads; a user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
