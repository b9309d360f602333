"""arignote.backends.cuda: reserved for the CUDA backend, which is not implemented yet.

No backend named ``cuda`` is registered, so ``config.device='cuda'`` and
``Mode(linker='cuda')`` fail with a message saying the backend is not implemented
(see ``arignote.plugin_manager.get_backend``).  When it lands it renders the shared
lowering through its own step table and falls back to the C templates for the scalar
ops it does not render itself (docs/architecture.md).
"""
