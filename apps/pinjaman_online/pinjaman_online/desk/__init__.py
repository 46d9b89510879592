"""The desk's workspaces: the number cards and charts they show (``cards``, ``charts``) and which of
Frappe's own workspaces staff see (``workspaces``)."""
