"""Benchmarks of lstmkit against PyTorch, JAX, Keras 3 and TF.js (issue 5).

Run everything with ``python -m bench`` (or ``python bench/run.py``); ``--help`` lists the filters.
Each system runs in its own subprocess and reports JSON; the runner interleaves the runs, keeps
medians and reports each result as a ratio lstmkit / peer in samples per second.
"""
