"""Local-only tooling: the embedded AWS, demo data, the dispatcher, benchmarks. Never packaged into Lambda."""
