# Kernel settings for the built-in engine (copied into a temporary IPYTHONDIR per kernel). Vector figures with no
# creation date, so a rebuild gives the same bytes; matplotlib is only imported if a cell uses it.
c = get_config()  # noqa: F821
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Date": None}}
# No history database or other state written into the project.
c.HistoryManager.enabled = False
