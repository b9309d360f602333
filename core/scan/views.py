"""Special cases of scan: map, reduce, foldl, foldr, and scan_checkpoints."""
from __future__ import annotations

from .build import scan


def map(fn, sequences, non_sequences=None, truncate_gradient=-1, go_backwards=False, mode=None, name=None):  # noqa: A001
    """``fn`` applied to each entry of the sequences (no recurrence)."""
    return scan(fn, sequences=sequences, outputs_info=[], non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode, name=name)


def reduce(fn, sequences, outputs_info, non_sequences=None, go_backwards=False, mode=None, name=None):
    """The final value(s) of a recurrence over the sequences (only the last step is kept)."""
    out, updates = scan(fn, sequences=sequences, outputs_info=outputs_info, non_sequences=non_sequences,
                        go_backwards=go_backwards, mode=mode, name=name)
    if isinstance(out, (list, tuple)):
        return [o[-1] for o in out], updates
    return out[-1], updates


def foldl(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the first entry to the last."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False, mode=mode, name=name)


def foldr(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the last entry to the first."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True, mode=mode, name=name)


def scan_checkpoints(fn, sequences=(), outputs_info=None, non_sequences=(), name="checkpointscan_fn",
                     n_steps=None, save_every_N=10, padding=True):
    """scan that returns the outputs every ``save_every_N`` steps only (Theano's memory-saving variant).

    An outer loop runs blocks of ``save_every_N`` steps, each an inner scan
    of which only the last value is kept; the gradient recomputes the steps
    of a block from its checkpoint.  Every output must be fed back.
    """
    import numpy as np

    from .. import tensor as T

    seqs = list(sequences) if isinstance(sequences, (list, tuple)) else [sequences]
    infos = list(outputs_info) if isinstance(outputs_info, (list, tuple)) else [outputs_info]
    ns = list(non_sequences) if isinstance(non_sequences, (list, tuple)) else [non_sequences]
    if any(o is None for o in infos):
        raise ValueError("scan_checkpoints: every output needs an initial value in outputs_info")
    N = int(save_every_N)
    seqs = [T.as_tensor_variable(s) for s in seqs]
    if n_steps is None:
        if not seqs:
            raise ValueError("scan_checkpoints: give n_steps or a sequence")
        n_steps = seqs[0].shape[0]
    n_steps = T.cast(T.as_tensor_variable(n_steps), "int64")
    n_blocks = (n_steps + (N - 1)) // N
    blocked = []
    for s in seqs:
        rest = [s.shape[i] for i in range(1, s.ndim)]
        if padding:
            z = T.alloc(np.asarray(0, dtype=s.dtype), n_blocks * N - s.shape[0], *rest)
            s = T.concatenate([s, z], axis=0)
        blocked.append(s[:n_blocks * N].reshape([n_blocks, N] + rest, ndim=s.ndim + 1))
    n_rec, n_seq = len(infos), len(seqs)

    def block(*args):
        ss, i_block = args[:n_seq], args[n_seq]
        states, nss = args[n_seq + 1:n_seq + 1 + n_rec], args[n_seq + 1 + n_rec:]
        steps = T.minimum(N, n_steps - i_block * N)
        outs, _ = scan(fn, sequences=list(ss), outputs_info=list(states), non_sequences=list(nss),
                       n_steps=steps, return_list=True)
        return [o[-1] for o in outs]

    outs, updates = scan(block, sequences=blocked + [T.arange(n_blocks)], outputs_info=infos, non_sequences=ns,
                         name=name, return_list=True)
    return (outs if len(outs) != 1 else outs[0]), updates
