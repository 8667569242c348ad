"""The synthetic catalogue for benchmarks: ``python bench/dataset.py N OUT.mrc [--xml]``.

Other benchmarks import ``write`` (or ``reol.catalog.sample`` directly). The records are the
same for the same seed whatever machine makes them, so figures are comparable between runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from reol.catalog import sample


def write(path: str | Path, n: int, *, xml: bool = False, seed: int = sample.DEFAULT_SEED) -> float:
    """Write ``n`` synthetic records to ``path``; returns the seconds it took."""
    started = time.perf_counter()
    if xml:
        sample.write_marcxml(path, n, seed=seed)
    else:
        sample.write_iso2709(path, n, seed=seed)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of records")
    parser.add_argument("out", type=Path, help="file to write")
    parser.add_argument("--xml", action="store_true", help="MARCXML instead of ISO 2709")
    parser.add_argument("--seed", type=int, default=sample.DEFAULT_SEED)
    args = parser.parse_args(argv)
    seconds = write(args.out, args.n, xml=args.xml, seed=args.seed)
    size = args.out.stat().st_size
    print(
        f"{args.n} records, {size / 1e6:.1f} MB written to {args.out} in {seconds:.1f} s "
        f"({args.n / seconds:,.0f} records/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
