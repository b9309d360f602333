"""arignote.backends.cuda: see DESIGN.md."""
