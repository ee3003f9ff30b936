"""RLHF trainer: reward models, PPO and sampling for the preference-collection platform.

Each algorithm is one runnable module (`python3 -m rlhf.reward --config cfg.json`); see README.md and PROTOCOL.md.
"""
import os

# OpenMP threads that busy-wait make a shared, oversubscribed CPU box crawl (2 threads measured 4-7x slower than 1
# under load); passive waiting keeps 2 threads faster than 1. Must be set before torch loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
