"""arignote.plugins: see DESIGN.md."""
