"""arignote.backends.llvm: see DESIGN.md."""
