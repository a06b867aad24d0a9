"""Performance tooling, a Django app of its own: the load data generator (load_data.py and the
generate_load_data command), the benchmark command with its in-process timings and load test,
and their settings and URLs. Installed for development and CI only; the app never imports it.
See docs/PERFORMANCE.md.
"""
