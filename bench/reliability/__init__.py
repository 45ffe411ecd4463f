"""``python -m bench.reliability``: one table of reliability figures that must be zero.

Each check is a module with ``async def run(scale) -> list[Row]``; see ``__main__`` for the runner
and README.md ("Reliability report") for what each row means.
"""
