"""The native NUTS kernel: whole chains in C (nuts.c, built once per machine by cffi into the
compile directory: build.py) around a model's native logp+gradient entry; kernel.py runs
chains in it and decides when it can (``NUTS(native=...)``)."""
